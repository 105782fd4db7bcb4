"""The one place that knows livereload (and the tornado under it); the rest of the desk is plain WSGI.

What we rely on, and nothing else:

- ``livereload.Server(app=…, watcher=…)`` and ``Server.serve(host, port, debug, restart_delay)``:
  serves a WSGI application through tornado and injects livereload's script into HTML pages;
- ``Server.get_web_handlers(script)``: overridden to put the review desk in front, served by
  ``livereload.server.LiveScriptContainer`` with an empty script (a reload would throw away what an
  editor is typing);
- ``livereload.watcher.Watcher.start``: overridden to start nothing (livereload polls every 0.8 s
  and ignores changes for 3 s after a reload; file events come from watchfiles instead);
- ``livereload.handlers.LiveReloadHandler.reload_waiters("*")``: tells every open page to reload;
- tornado's ``IOLoop.current().add_callback`` to run a callback on the server's thread, and its
  ``asyncio_loop`` to stop it from a signal handler.

A livereload upgrade that changes any of these breaks only this module (tests/desk/test_serve.py
exercises each through a real server).
"""

from __future__ import annotations

from collections.abc import Callable


class LiveServer:
    """A live-reloading server for a site application, with a second application mounted beside it."""

    def __init__(self, site: Callable, mounted: Callable, prefix: str) -> None:
        from livereload import Server
        from livereload.server import LiveScriptContainer
        from livereload.watcher import Watcher
        from tornado import web
        from tornado.ioloop import IOLoop

        class Quiet(Watcher):
            def start(self, callback: Callable) -> bool:
                return True  # True: livereload starts no polling of its own

        class WithMounted(Server):
            def get_web_handlers(self, script: bytes) -> list:
                no_script = LiveScriptContainer(mounted, b"")
                return [
                    (f"{prefix}.*", web.FallbackHandler, {"fallback": no_script}),
                    *super().get_web_handlers(script),
                ]

        self.server = WithMounted(app=site, watcher=Quiet())
        self.loop = IOLoop.current()

    def call_soon(self, callback: Callable[..., None], *arguments: object) -> None:
        """Run ``callback(*arguments)`` on the server's thread (safe to call from any thread)."""
        self.loop.add_callback(callback, *arguments)

    @staticmethod
    def reload_pages() -> None:
        """Tell every open page of the site to reload."""
        from livereload.handlers import LiveReloadHandler

        LiveReloadHandler.reload_waiters("*")

    def serve(self, host: str, port: int) -> None:
        """Serve until interrupted; OSError when the address cannot be listened on.

        Ctrl+C asks the server's loop to stop rather than raising KeyboardInterrupt wherever the
        main thread happens to be: raised inside a callback the garbage collector runs (a thread
        object freed, a ``WeakSet`` entry removed), Python prints it as ignored and goes on, and
        the preview kept serving. A second Ctrl+C raises at once (a request that takes long)."""
        import signal
        import threading

        asked = []

        def interrupted(number: int, frame: object) -> None:
            if asked:
                raise KeyboardInterrupt
            asked.append(number)
            # (thread-safe on purpose: from the loop's own thread tornado's add_callback does not
            # wake the loop, and a signal that lands while it waits for events would wait forever)
            self.loop.asyncio_loop.call_soon_threadsafe(self.loop.stop)

        main = threading.current_thread() is threading.main_thread()  # (and Ctrl+C not ignored: `serve &`)
        before = (
            signal.signal(signal.SIGINT, interrupted)
            if main and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
            else None
        )
        try:
            self.server.serve(host=host, port=port, debug=False, restart_delay=0)
        finally:
            if before is not None:
                signal.signal(signal.SIGINT, before)
