// Sizes are parsed and printed in shared/ so the CLI, the jobs and the UI agree; the commands import them from here.
export { formatBytes, parseSize } from '../../shared/format';
