import { useEffect } from 'react';
import { getApi } from './api';
import { jobNotice } from './job-notice';

/**
 * Desktop notifications through the web Notification API: the desktop window shows them as the OS's
 * own (Electron maps them), a browser on `ferry serve` as the browser's. Asked for on the click that
 * starts a job, so the request is never out of the blue.
 */
export function askToNotify(): void {
  if (typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission().catch(() => undefined);
}

/** Notifies once per job when a long one ends while the operator is looking elsewhere. */
export function useJobNotifications(): void {
  useEffect(() => {
    if (typeof Notification === 'undefined') return;
    const told = new Set<string>();
    return getApi().subscribe('jobs.changed', ({ job }) => {
      const notice = jobNotice(job);
      if (!notice || told.has(job.id)) return;
      told.add(job.id);
      if (Notification.permission !== 'granted' || document.hasFocus()) return;
      const n = new Notification(notice.title, { body: notice.body, tag: job.id });
      n.onclick = () => window.focus();
    });
  }, []);
}
