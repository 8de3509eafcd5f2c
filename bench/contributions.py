"""Contribution figures: the feed and the map page with 5,000 contributions, a contribution's page,
and submissions under 16 concurrent writers. Called by bench/run.py with the servers it started."""

import json
import re
import statistics
import threading
import time

import httpx



def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def feed_build_ratio(database_url: str, slug: str) -> dict:
    """Building the feed from the database against a plain json.dumps of the same features."""
    from sqlalchemy import select

    from revital.communes.models import Commune
    from revital.contributions import services
    from revital.db import Database

    db = Database(database_url)
    with db.session() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == slug))
        rows = session.execute(services.published_with_position(commune.id)).all()
        features = [{"type": "Feature", "id": r[0], "geometry": {"type": "Point", "coordinates": [round(r[3], 5), round(r[4], 5)]},
                     "properties": {"k": services.KIND_LETTERS[r[1]], "c": r[2]}} for r in rows]
        start = time.perf_counter()
        for _ in range(5):
            json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
        dumps = (time.perf_counter() - start) / 5
        start = time.perf_counter()
        for _ in range(5):
            services._FEEDS.clear()
            body = services.map_feed(session, commune)
        build = (time.perf_counter() - start) / 5
    db.dispose()
    return {"features": len(features), "dumps_ms": dumps * 1000, "build_ms": build * 1000, "ratio": build / dumps,
            "bytes": len(body), "bytes_per_feature": (len(body) - 200) / max(1, len(features))}


def submissions(app_url: str, slug: str, writers: int = 16, each: int = 10) -> dict:
    """writers threads, each posting `each` contributions through the real form."""
    latencies, errors, created = [], [], []
    lock = threading.Lock()

    def writer(n):
        with httpx.Client(base_url=app_url, headers={"Host": "127.0.0.1:8000"}, timeout=30) as client:
            page = client.get(f"/communes/{slug}/contribuer")
            csrf = client.cookies.get("revital_csrf")
            token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
            secret_part = token  # a fresh signed token per post comes from a fresh page
            for i in range(each):
                if i:
                    page = client.get(f"/communes/{slug}/contribuer")
                    secret_part = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
                data = {"_csrf_token": csrf, "token": secret_part, "kind": "idea", "category": "commerce",
                        "title": f"Banc d'essai {n}-{i}", "body": "Mesure.", "where": "none", "consent": "1"}
                start = time.perf_counter()
                response = client.post(f"/communes/{slug}/contribuer", data=data,
                                       files={"photo": ("", b"", "application/octet-stream")})
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    if response.status_code == 303:
                        created.append(1)
                    else:
                        errors.append(response.status_code)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = time.perf_counter() - start
    return {"posts": len(latencies), "created": len(created), "errors": errors, "seconds": total,
            "p50_ms": percentile(latencies, 50) * 1000, "p99_ms": percentile(latencies, 99) * 1000,
            "mean_ms": statistics.mean(latencies) * 1000}


def map_usable_ms(app_url: str, slug: str) -> float | None:
    """Navigation start until the clustered contributions are on the map, in headless Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        times = []
        for _ in range(3):
            page.goto(f"{app_url}/communes/{slug}", wait_until="commit")
            page.wait_for_selector(".leaflet-container[data-contributions]", timeout=30000)
            times.append(page.evaluate("performance.now()"))
        browser.close()
    return statistics.median(times)
