import { runWorker } from './runtime';
import { runners } from './runners';

// Entry of the job worker: Electron starts it with utilityProcess.fork, `ferry serve` with child_process.fork.
runWorker(runners);
