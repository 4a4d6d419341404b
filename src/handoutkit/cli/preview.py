"""`handoutkit preview`: a local server that rebuilds on change and reloads the page."""

from __future__ import annotations

from typing import Annotated

import typer

from handoutkit.cli.common import PathsArg, app, err, project_root, state, today
from handoutkit.errors import EXIT_OK, UsageError


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@app.command()
def preview(
    paths: PathsArg = None,
    port: Annotated[
        int,
        typer.Option("--port", help="Port on 127.0.0.1 (0 picks a free one).", min=0, max=65535),
    ] = 8000,
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Open the preview in a web browser.")
    ] = True,
) -> None:
    """Preview while you write: a local server that rebuilds on change and reloads the page."""
    import signal
    import webbrowser

    from handoutkit.preview import Preview, PreviewError

    root = project_root()
    for path in paths or []:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder — check the path")
    server = Preview(
        root,
        selected=paths or [],
        today=today,
        port=port,
        debug=state.debug,
        report=typer.echo,
        status=lambda line: err.print(line, markup=False, soft_wrap=True),
    )
    try:
        server.start()
    except PreviewError as exc:
        raise UsageError(str(exc)) from None
    previous = signal.signal(signal.SIGTERM, _interrupt)  # `kill`: stop as for Ctrl+C
    try:
        err.print(f"[green]preview at {server.url}[/] — rebuilds on change; Ctrl+C stops it")
        if open_browser:
            webbrowser.open(server.url)
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()  # removes its temporary folder
    err.print("preview stopped")
    raise typer.Exit(EXIT_OK)
