"""Contribution figures that wrk cannot take: writers through the real form (and the rows they
left in the database), time until the map shows its contributions in Chromium, and the cost of
building the map feed. Called by bench/run.py with servers it started.

Writers behave like browsers: each GETs the form (a fresh signed token and the CSRF cookie),
fills it in — every field the form carries, hidden ones with the page's values, an empty file
part for the photo — and POSTs it as multipart. Each submission's title carries the run's
marker, so that the rows created can be counted in the database afterwards.
"""

import re
import statistics
import threading
import time
from html import unescape
from html.parser import HTMLParser

import httpx

CHOICES = {"kind": "idea", "where": "none", "consent": "1", "body": "Mesure de charge."}


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))] if values else float("nan")


class FormFields(HTMLParser):
    """The fields a browser would send for the form whose action ends with `action`: each
    control with its current value (checked boxes and radios only, a select's selected or
    first option), plus the options offered for each select and the file inputs."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields, self.options, self.files = action, False, {}, {}, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = (a.get("action") or "").endswith(self.action)
        if not self.inside or not a.get("name") and tag != "option":
            return
        name = a.get("name")
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self.files.append(name)
            elif kind in ("checkbox", "radio"):
                self.options.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    self.fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "reset", "image"):
                self.fields[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            self.options[name] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(a.get("value", ""))
            if "selected" in a or self._select not in self.fields:
                self.fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def filled_form(html: str, action: str, title: str) -> tuple[dict, list]:
    parser = FormFields(action)
    parser.feed(html)
    if "token" not in parser.fields:
        raise RuntimeError(f"no contribution form with a token on the page (action …{action})")
    data = {**parser.fields, **CHOICES, "title": title}
    category = [v for v in parser.options.get("category", []) if v]
    if category and not data.get("category"):
        data["category"] = category[0]
    return data, [(name, ("", b"", "application/octet-stream")) for name in parser.files]


HIDDEN = re.compile(r"<input\b[^>]*>", re.I)


def hidden_values(html: str, action: str) -> dict:
    """The hidden inputs of the form whose action ends with `action` (name: value): what changes
    from one rendering of the form to the next (the signed token, the CSRF token). Cheaper than
    parsing the page again: the writers share the machine with the server."""
    values = {}
    start = html.find(f'{action}"')
    section = html[start:html.find("</form>", start)] if start >= 0 else ""
    for tag in HIDDEN.findall(section):
        if re.search(r'type="hidden"', tag, re.I):
            name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
            if name:
                values[unescape(name.group(1))] = unescape(value.group(1)) if value else ""
    return values


class CookieJar:
    """Cookies kept by hand: the app sets them Secure (production settings), which httpx would
    not send back over http://127.0.0.1, while a browser treats loopback as secure."""

    def __init__(self):
        self.values = {}

    def take(self, response):
        for header in response.headers.get_list("set-cookie"):
            name, _, value = header.split(";", 1)[0].partition("=")
            self.values[name.strip()] = value.strip()

    def header(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.values.items())} if self.values else {}


def submissions(app_url: str, slug: str, marker: str, writers: int = 16, seconds: float = 10.0,
                one_address: bool = False) -> dict:
    """`writers` threads, each GET-form-then-POST in a loop for `seconds`. Each writer comes from
    its own loopback address (127.0.0.2, .3, …: still loopback, the server still 127.0.0.1), as
    16 residents would, unless one_address (a village hall's Wi-Fi: one per-address throttle row
    for everybody)."""
    posts, forms, statuses, failures = [], [], {}, []
    lock = threading.Lock()
    form_path = f"/communes/{slug}/contribuer"
    stop_at = time.monotonic() + seconds

    def writer(n):
        jar, i, fields, files = CookieJar(), 0, None, None
        transport = httpx.HTTPTransport(local_address="127.0.0.1" if one_address else f"127.0.{(n + 2) // 256}.{(n + 2) % 256}")
        with httpx.Client(base_url=app_url, timeout=60, transport=transport) as client:
            while time.monotonic() < stop_at:
                try:
                    start = time.perf_counter()
                    page = client.get(form_path, headers=jar.header())
                    form_ms = (time.perf_counter() - start) * 1000
                    jar.take(page)
                    if fields is None:  # the whole form once; then only its hidden values change
                        fields, files = filled_form(page.text, form_path, "")
                    data = {**fields, **hidden_values(page.text, form_path), "title": f"{marker} {n}-{i}"}
                    start = time.perf_counter()
                    response = client.post(form_path, data=data, files=files,
                                           headers={**jar.header(), "Origin": app_url, "Referer": app_url + form_path})
                    post_ms = (time.perf_counter() - start) * 1000
                    jar.take(response)
                except Exception as error:  # a timeout or a page without its form: counted, not raised
                    with lock:
                        failures.append(f"{type(error).__name__}: {str(error)[:120]}")
                    continue
                i += 1
                accepted = response.status_code == 303 and "/merci/" in response.headers.get("location", "")
                with lock:
                    forms.append(form_ms)
                    posts.append(post_ms)
                    key = "303" if accepted else str(response.status_code)
                    statuses[key] = statuses.get(key, 0) + 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    cpu, start = time.process_time(), time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return {"writers": writers, "one_address": one_address, "posts": len(posts), "accepted": statuses.get("303", 0), "statuses": statuses,
            "failures": failures, "seconds": wall, "per_second": statuses.get("303", 0) / wall,
            "p50": percentile(posts, 50), "p99": percentile(posts, 99), "form_p50": percentile(forms, 50),
            "form_p99": percentile(forms, 99), "client_cpu": (time.process_time() - cpu) / wall}


def rows_with_marker(database_url: str, marker: str) -> int:
    """Contributions whose title carries the marker, counted in the database (table reflected)."""
    from sqlalchemy import MetaData, Table, create_engine, func, select

    engine = create_engine(database_url)
    try:
        table = Table("contributions", MetaData(), autoload_with=engine)
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(table).where(table.c.title.contains(marker)))
    finally:
        engine.dispose()


def time_to_map(app_url: str, slug: str, runs: int = 5) -> dict:
    """Navigation start until the clustered contributions are on the map (the map container gets
    data-contributions), in headless Chromium, each run in a fresh browser context (empty cache,
    no cookies). The server's caches are warm: this is a visitor's first visit, not the server's."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"error": "playwright is not installed"}
    url = f"{app_url}/communes/{slug}"
    times, shown, ready, feeds = [], set(), [], []
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]  # nothing but loopback
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        try:
            for _ in range(runs):
                context = browser.new_context()
                page = context.new_page()
                page.goto(url, wait_until="commit")
                container = page.wait_for_selector(".leaflet-container[data-contributions]", timeout=60000)
                times.append(page.evaluate("performance.now()"))
                steps = page.evaluate("""() => {
                    const nav = performance.getEntriesByType("navigation")[0];
                    const feed = performance.getEntriesByType("resource").find(e => e.name.includes(".geojson"));
                    return [nav.domContentLoadedEventEnd, feed ? feed.responseEnd : null]; }""")
                ready.append(steps[0])
                if steps[1] is not None:
                    feeds.append(steps[1])
                shown.add(container.get_attribute("data-contributions"))
                context.close()
        finally:
            browser.close()
    return {"runs": runs, "median": statistics.median(times), "min": min(times), "max": max(times),
            "shown": ", ".join(sorted(shown)), "ready": statistics.median(ready),
            "feed": statistics.median(feeds) if feeds else None}


def feed_build(database_url: str, slug: str) -> dict:
    """Building the map feed from the database (the app's own function, cache cleared) against a
    plain json.dumps of the same features. Uses the application's internals: if they moved,
    says so instead of failing the run."""
    import json

    try:
        from sqlalchemy import select

        from revital.communes.models import Commune
        from revital.contributions import feeds
        from revital.db import Database
    except ImportError as error:
        return {"error": f"feed internals moved ({error})"}
    db = Database(database_url)
    try:
        with db.session() as session:
            commune = session.scalar(select(Commune).where(Commune.slug == slug))
            rows = session.execute(feeds.published_with_position(commune.id)).all()
            features = [{"type": "Feature", "id": r[0], "geometry": {"type": "Point", "coordinates": [round(r[3], 5), round(r[4], 5)]},
                         "properties": {"k": r[1][0], "c": r[2]}} for r in rows]
            start = time.perf_counter()
            for _ in range(3):
                json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
            dumps = (time.perf_counter() - start) / 3
            start = time.perf_counter()
            for _ in range(3):
                body = feeds.map_feed(session, commune)  # the builder itself, never cached
            build = (time.perf_counter() - start) / 3
    except (AttributeError, TypeError) as error:
        return {"error": f"feed internals changed ({error})"}
    finally:
        db.dispose()
    body = body if isinstance(body, bytes) else getattr(body, "raw", b"")
    return {"features": len(features), "dumps_ms": dumps * 1000, "build_ms": build * 1000, "ratio": build / dumps,
            "bytes": len(body), "bytes_per_feature": (len(body) - 200) / max(1, len(features))}
