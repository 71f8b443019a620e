"""Reading an image the way a person sees it: the browser has fetched and decoded it."""

from __future__ import annotations


def natural_width(page, selector: str) -> int:
    """The decoded width of the first image matching `selector`, once the browser has finished with
    it. Images below the fold load lazily, so the image is scrolled into view first; a broken image
    finishes too and reads 0."""
    image = page.locator(selector).first
    image.scroll_into_view_if_needed()
    image.evaluate("img => img.complete || new Promise(done => {"
                   " img.addEventListener('load', done, {once: true});"
                   " img.addEventListener('error', done, {once: true}); })")
    return image.evaluate("img => img.naturalWidth")
