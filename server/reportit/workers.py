"""`reportit serve --workers N`: N web worker processes, each accepting on a listening socket of its own.

uvicorn's supervisor gives every worker the same listening socket. Whichever worker wakes first
accepts every connection waiting (asyncio takes up to a backlog's worth at a time), so when a proxy
or a load generator opens its keep-alive connections together, one worker got all of them and the
other sat idle for as long as they lasted (measured: 12 connections, 160 reports, the second worker
used no CPU at all). Here each worker has its own socket bound to the same address with
SO_REUSEPORT, and the kernel spreads new connections over them by a hash of the client's address
and port, as nginx's `reuseport` and gunicorn's `--reuse-port` do.

The supervision itself (health pings, restarting a dead worker, signals, SIGHUP's rolling restart)
stays uvicorn's; only which socket a worker (or its replacement) is given changes.
"""

from __future__ import annotations

import logging
import socket

from uvicorn import Config
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess, Process

log = logging.getLogger(__name__)


def reuse_port_sockets(host: str, port: int, count: int, backlog: int = 2048) -> list[socket.socket]:
    """`count` sockets bound to one address (port 0: the first picks a free port, the rest join it).

    SO_REUSEPORT would also let a second `reportit serve` join an address already served, quietly
    splitting residents between two services: a plain bind first fails there as it should."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    if port:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))  # OSError "Address already in use" if anything listens there
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            # Listening from here, not from when each worker has started its app (seconds later):
            # a second service's plain bind now fails at once, and connections that come meanwhile
            # wait in the queue for their worker instead of being refused.
            sock.listen(backlog)
            port = sock.getsockname()[1]
            sock.set_inheritable(True)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class WorkersWithOwnSockets(Multiprocess):
    """uvicorn's supervisor, with worker i (and whatever replaces it) always on socket i."""

    def __init__(self, config: Config, sockets: list[socket.socket]) -> None:
        super().__init__(config, sockets)
        self.processes_num = len(sockets)

    def _started(self, index: int) -> Process:
        process = Process(self.config, [self.sockets[index]])
        process.start()
        return process

    def init_processes(self) -> None:
        self.processes = [self._started(index) for index in range(self.processes_num)]

    def keep_subprocess_alive(self) -> None:
        if self.should_exit.is_set():
            return
        for index, process in enumerate(self.processes):
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()  # hung: its socket's waiting connections go to its replacement
            process.join()
            if process.exitcode == STARTUP_FAILURE:  # the app cannot start: restarting would loop
                log.error("event=worker_failed_to_start pid=%s action=stopping", process.pid)
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            log.warning("event=worker_died pid=%s action=restarting", process.pid)
            self.processes[index] = self._started(index)

    def handle_ttin(self) -> None:
        log.warning("event=signal_ignored signal=SIGTTIN reason=workers_are_fixed_at_start hint=restart_with_--workers")

    def handle_ttou(self) -> None:
        # A worker taken away would leave its socket listening in this process, and the kernel would
        # still hand it a share of new connections that nobody accepts.
        log.warning("event=signal_ignored signal=SIGTTOU reason=workers_are_fixed_at_start hint=restart_with_--workers")

    def restart_all(self) -> None:
        """SIGHUP: each worker replaced in turn, the new one ready before the old one goes."""
        for index, old in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new = self._started(index)
            if not new.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit):
                new.kill()
                new.join()
                log.error("event=worker_restart_aborted pid=%s kept=%s", new.pid, old.pid)
                return
            old.terminate()
            old.join()
            self.processes[index] = new
