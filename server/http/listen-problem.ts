/**
 * Why a server could not listen, as what to do: the usual causes (the port taken by a second
 * `npm start`, a port below 1024, a HOST this machine does not have) deserve a sentence, not the
 * stack trace of Node's unhandled 'error' event. Shared by `npm start` and `npm run sandbox`.
 */
export function listenProblem(error: NodeJS.ErrnoException, host: string, port: number, command: string): string {
  const where = `${host}:${port}`;
  switch (error.code) {
    case "EADDRINUSE":
      return `${where} is already in use (another octopus-checkout, or another program): stop it, or choose another port with PORT (for example PORT=${port === 65535 ? 8788 : port + 1} ${command})`;
    case "EACCES":
      return `${where} needs privileges this process does not have (ports below 1024 do): choose a port from 1024 with PORT, and let a reverse proxy take 80 and 443`;
    case "EADDRNOTAVAIL":
      return `${host} is not an address of this machine: set HOST to one of its addresses, or 0.0.0.0 for all`;
    default:
      return `${where}: ${error.message}`;
  }
}
