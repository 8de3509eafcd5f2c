"""Load and probes: wrk runs, one-request probes (status, sizes raw and gzipped, headers), and
the links a page offers (pagination, a contribution's page), read from its HTML.

Latencies are in milliseconds. wrk runs with a 30 s timeout so that slow answers are measured
rather than dropped as timeouts (wrk's default, 2 s, would hide the slowest pages).
"""

import gzip
import re
import subprocess
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

# What a browser sends: the app may compress, and every measured page sees the same request.
BROWSER = {"Accept-Encoding": "gzip", "Accept": "text/html,application/json;q=0.9,*/*;q=0.8"}
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url: str, seconds: int, connections: int, headers: dict | None = None, script: str | None = None) -> dict:
    """script: a wrk Lua script (see rotation_script)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency"]
    command += ["-s", script] if script else []
    for name, value in {**BROWSER, **(headers or {})}.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    requests = re.search(r"(\d+) requests in ([\d.]+\w+), ([\d.]+)(\w+) read", out)
    count = int(requests.group(1))
    read = float(requests.group(3)) * {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[requests.group(4)]
    percentiles = {p: to_ms(v) for p, v in re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M)}
    non_2xx_3xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "requests": count,
            "p50": percentiles.get("50"), "p99": percentiles.get("99"),
            "errors": int(non_2xx_3xx.group(1)) if non_2xx_3xx else 0,
            "socket_errors": sum(map(int, sockets.groups())) if sockets else 0,
            "bytes_per_response": read / count if count else 0}


def fetch(url: str, headers: dict | None = None, timeout: float = 120) -> tuple[int, dict, bytes]:
    """One GET: status, headers (lower-case names) and the body as sent (not decompressed)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def probe(url: str, headers: dict | None = None) -> dict:
    """What the endpoint sends a browser: status, raw size, size on the wire with gzip accepted,
    Content-Encoding, Vary, ETag, and how long a single request takes."""
    start = time.perf_counter()
    status, plain_headers, raw = fetch(url, headers)
    single_ms = (time.perf_counter() - start) * 1000
    _, sent_headers, sent = fetch(url, {**BROWSER, **(headers or {})})
    encoding = sent_headers.get("content-encoding", "")
    if encoding == "gzip":
        raw_size = len(gzip.decompress(sent))
    else:
        raw_size = len(raw)
    return {"status": status, "raw": raw_size, "wire": len(sent), "encoding": encoding or "identity",
            "vary": sent_headers.get("vary", ""), "etag": plain_headers.get("etag", ""),
            "could_gzip": len(gzip.compress(raw, 6)) if raw and encoding != "gzip" else None,
            "single_ms": single_ms, "body": raw}


class Links(HTMLParser):
    """Every <a href> and <link href> with its rel and text."""

    def __init__(self):
        super().__init__()
        self.links, self._open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "link") and attrs.get("href"):
            link = {"href": attrs["href"], "rel": (attrs.get("rel") or "").lower().split(), "text": ""}
            self.links.append(link)
            if tag == "a":
                self._open = link

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None


def links_of(html: bytes | str) -> list[dict]:
    parser = Links()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser.links


def link_with_rel(html, rel: str, base: str) -> str | None:
    for link in links_of(html):
        if rel in link["rel"]:
            return urljoin(base, link["href"])
    return None


def first_link_matching(html, pattern: str, base: str) -> str | None:
    for link in links_of(html):
        if re.fullmatch(pattern, urlsplit(urljoin(base, link["href"])).path):
            return urljoin(base, link["href"])
    return None


def rotation_script(paths: list[str], path) -> str:
    """A wrk script that requests the paths in turn (each thread from its own starting point)."""
    listed = ",\n".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    path.write_text(f"""paths = {{
{listed}
}}
counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("start", counter * {max(1, len(paths) // 2)})
end
init = function(args)
  i = start or 0
end
request = function()
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end
""")
    return str(path)


def last_page(first_url: str, max_hops: int = 20000, progress=print, collect: str | None = None) -> dict:
    """The list's last page, found as a visitor would: a rel="last" link if the page offers one,
    else rel="next" links followed until there is none. Never builds a page number itself.
    collect: a path pattern; the links matching it on every page visited are returned too."""
    import httpx

    url, hops, start, seen = first_url, 0, time.perf_counter(), {}
    with httpx.Client(timeout=60) as client:
        while hops < max_hops:
            response = client.get(url)
            response.raise_for_status()
            if collect:
                for link in links_of(response.text):
                    target = urlsplit(urljoin(url, link["href"])).path
                    if re.fullmatch(collect, target):
                        seen[target] = True
            jump = link_with_rel(response.text, "last", url)
            following = jump if jump and jump != url else link_with_rel(response.text, "next", url)
            if following is None or following == url:
                break
            url, hops = following, hops + 1
            if hops % 500 == 0:
                progress(f"    … {hops:,} pages followed ({time.perf_counter() - start:.0f} s), at {urlsplit(url).query}")
    return {"url": url, "hops": hops, "seconds": time.perf_counter() - start, "complete": hops < max_hops,
            "collected": list(seen)}
