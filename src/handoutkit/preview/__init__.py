"""`handoutkit preview`: a local server that rebuilds on change and live-reloads the page.

`state` holds what the threads share, `builder` the builder thread and the file watcher,
`pages` the HTML, and `server` the HTTP server and `Preview`, which ties them together.
"""

from handoutkit.preview.server import Preview, PreviewError

__all__ = ["Preview", "PreviewError"]
