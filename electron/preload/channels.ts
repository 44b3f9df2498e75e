/** The two IPC channels between preload and main; everything else is refused by not existing. */
export const IPC_INVOKE = 'ferry:invoke';
export const IPC_EVENT = 'ferry:event';
