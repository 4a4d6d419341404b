"""Baseline for bench/run.py: raw in-process WeasyPrint, nothing of handoutkit.

One process imports WeasyPrint once, parses the stylesheets once with one shared
FontConfiguration, then renders every HTML file of a folder (the HTML handoutkit renders,
written by bench/run.py) to a PDF/UA-1 file, sequentially. Prints a JSON summary on stdout.

    python bench/raw_weasyprint.py --base-url file:///project/ --css a.css --css b.css \\
        --html-dir HTML --out-dir OUT
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

started = time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--css", action="append", required=True)
    parser.add_argument("--html-dir", type=Path, required=True)
    parser.add_argument("--out-dir", type=Path, required=True)
    args = parser.parse_args()

    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    imported = time.perf_counter()
    fonts = FontConfiguration()
    sheets = [CSS(filename=path, font_config=fonts) for path in args.css]
    ready = time.perf_counter()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    pages = {}
    for html_file in sorted(args.html_dir.glob("*.html")):
        document = HTML(
            string=html_file.read_text(encoding="utf-8"), base_url=args.base_url
        ).render(stylesheets=sheets, font_config=fonts, pdf_variant="pdf/ua-1")
        pdf = document.write_pdf(pdf_variant="pdf/ua-1")
        (args.out_dir / f"{html_file.stem}.pdf").write_bytes(pdf)
        pages[html_file.stem] = len(document.pages)
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "documents": len(pages),
                "pages": pages,
                "import_seconds": imported - started,
                "setup_seconds": ready - imported,
                "render_seconds": done - ready,
            }
        )
    )


if __name__ == "__main__":
    main()
