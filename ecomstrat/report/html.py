r"""Render report sections and images as one self-contained HTML page.

The page has inline CSS, images embedded as ``data:image/png;base64`` URIs, no script and no
link to any other resource, so it can be mailed or archived as a single file. Every text is
HTML-escaped.

Examples
--------
>>> from ecomstrat.report.section import Section
>>> page = render_html(
...     [Section("Orders", [["customers", "3"]], header=["", "count"]),
...      Image("A plot", b"\x89PNG...", "what it shows")],
...     title="Report <1>",
... )
>>> "<title>Report &lt;1&gt;</title>" in page, '<img src="data:image/png;base64,' in page
(True, True)
>>> "http" in page
False
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence

import attrs

from ecomstrat.report.section import Section

__all__ = ["CSS", "Image", "render_html", "section_html"]

#: The page's style sheet (inlined).
CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222;
       max-width: 960px; margin: 2em auto; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin: 1.8em 0 0.4em; border-bottom: 1px solid #ddd;
     padding-bottom: 0.2em; }
p.subtitle { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.4em 0; font-size: 0.9em; }
th, td { padding: 0.2em 0.7em; border-bottom: 1px solid #eee; }
th { border-bottom: 1px solid #999; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.label, th.label { text-align: left; }
p.note { color: #555; font-size: 0.85em; margin: 0.3em 0; }
figure { margin: 1.2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.85em; }
nav ul { columns: 2; font-size: 0.9em; }
footer { color: #777; font-size: 0.8em; margin-top: 3em; }
""".strip()


@attrs.frozen
class Image:
    """A PNG image with a title and an alternative text.

    Parameters
    ----------
    title : str
        Caption shown under the image.
    png : bytes
        The PNG file's bytes.
    alt : str
        What the image shows, for readers that cannot see it.
    """

    title: str
    png: bytes = attrs.field(repr=False)
    alt: str = ""

    def data_uri(self) -> str:
        """The image as a ``data:image/png;base64,...`` URI."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _slug(text: str, taken: set[str]) -> str:
    base = "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "section"
    base = "-".join(part for part in base.split("-") if part)
    slug, k = base, 2
    while slug in taken:
        slug, k = f"{base}-{k}", k + 1
    taken.add(slug)
    return slug


def section_html(section: Section, anchor: str = "") -> str:
    """One section as an ``<h2>``, a table (first column left-aligned) and notes."""
    ident = f' id="{_e(anchor)}"' if anchor else ""
    out = [f"<section{ident}>", f"<h2>{_e(section.title)}</h2>"]
    if section.rows or section.header:
        out.append("<table>")
        if section.header:
            cells = "".join(
                f'<th class="{"label" if j == 0 else "num"}">{_e(h)}</th>'
                for j, h in enumerate(section.header)
            )
            out.append(f"<thead><tr>{cells}</tr></thead>")
        out.append("<tbody>")
        for row in section.rows:
            cells = "".join(
                f'<td class="{"label" if j == 0 else "num"}">{_e(c)}</td>'
                for j, c in enumerate(row)
            )
            out.append(f"<tr>{cells}</tr>")
        out.append("</tbody></table>")
    out.extend(f'<p class="note">{_e(note)}</p>' for note in section.notes)
    out.append("</section>")
    return "\n".join(out)


def _image_html(image: Image) -> str:
    return (
        f'<figure><img src="{image.data_uri()}" alt="{_e(image.alt or image.title)}"'
        f' width="900"><figcaption>{_e(image.title)}</figcaption></figure>'
    )


def render_html(
    blocks: Iterable[Section | Image],
    *,
    title: str,
    subtitle: str = "",
    footer: str = "",
    contents: bool = True,
) -> str:
    """A complete HTML page of sections and images, in the order given.

    Parameters
    ----------
    blocks : iterable of Section or Image
        The content.
    title : str
        Page title and ``<h1>``.
    subtitle : str, optional
        A line under the title.
    footer : str, optional
        A line at the bottom of the page.
    contents : bool, default True
        Start with a list of links to the sections.

    Returns
    -------
    str
        UTF-8 text of the page, with no external reference.
    """
    items: Sequence[Section | Image] = list(blocks)
    taken: set[str] = set()
    anchors = {
        id(block): _slug(block.title, taken) for block in items if isinstance(block, Section)
    }
    body = [f"<h1>{_e(title)}</h1>"]
    if subtitle:
        body.append(f'<p class="subtitle">{_e(subtitle)}</p>')
    if contents and anchors:
        links = "".join(
            f'<li><a href="#{anchors[id(b)]}">{_e(b.title)}</a></li>'
            for b in items
            if isinstance(b, Section)
        )
        body.append(f"<nav><ul>{links}</ul></nav>")
    for block in items:
        if isinstance(block, Section):
            body.append(section_html(block, anchors[id(block)]))
        else:
            body.append(_image_html(block))
    if footer:
        body.append(f"<footer>{_e(footer)}</footer>")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
