"""Printing ведомости (issue 12): one group's sheet, one group's whole session, the college's whole
session. Not part of the test suite.

    python bench/attestation_print.py [--seed 2024] [--repeat 5] [--keep]

In a scratch database `ejournal_attestation_bench` of the bench server (EJOURNAL_DATA_DIR, default
./var/bench; never the developer's demo database): seed the demo college, take the last closed
half (the previous semester's session, every sheet filled), then, as the deputy director through the
app's own engine (the app role), time

- one sheet: app.services.attestation.sheet + app.reports.attestation_sheet.sheet_pdf (what the
  page's «Ведомость для печати» gives), for the group with the most sheets;
- that group's session: every sheet of the half in one PDF (sheets_pdf, the page's «Все ведомости»);
- the whole session: every sheet of the college's half in one PDF;
- the baseline, in the same run: a one-paragraph report through the same renderer.

Medians of --repeat runs after a warm-up, interleaved. The last line:

    sheet_ms=… group_ms=… session_ms=… baseline_ms=… sheets=N group_sheets=N
    sheet_vs_baseline=R session_vs_sheet=R
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DATABASE = "ejournal_attestation_bench"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    args = parser.parse_args()
    os.environ.setdefault("EJOURNAL_DATA_DIR", str(ROOT / "var" / "bench"))

    from app import db

    server = db.start_embedded(Path(os.environ["EJOURNAL_DATA_DIR"]).resolve() / "pgdata")
    url = db.with_database(server, BENCH_DATABASE)
    os.environ["EJOURNAL_DATABASE_URL"] = url  # run_seed recreates the database the settings name

    from sqlalchemy import text
    from sqlmodel import Session

    from app.actor import load_actor
    from app.calendar import Half
    from app.demo.seed import run_seed
    from app.reports import blocks as b
    from app.reports.attestation_sheet import sheet_pdf, sheets_pdf
    from app.services import attestation
    from app.settings import get_settings

    get_settings.cache_clear()
    seeded = run_seed(seed=args.seed)
    half = Half.containing(seeded.today).previous()
    engine = db.get_engine()
    with engine.connect() as conn:
        deputy_id = conn.execute(text("SELECT id FROM user_account WHERE login = 'deputy'")).scalar_one()
    with Session(engine) as s:
        deputy = load_actor(deputy_id, session=s)
        summaries = attestation.sheets(deputy, half, session=s)
    by_group = Counter(x.group_name for x in summaries)
    group = max(by_group, key=lambda g: (by_group[g], g))
    group_keys = [x.key for x in summaries if x.group_name == group]
    all_keys = [x.key for x in summaries]

    def one_sheet() -> float:
        t0 = time.perf_counter()
        with Session(engine) as s:
            sheet = attestation.sheet(deputy, group_keys[0][0], kind=group_keys[0][1], session=s)
            sheet_pdf(sheet, session=s, college_id=deputy.college_id, deputy=deputy.full_name)
        return time.perf_counter() - t0

    def many(keys: list[tuple[int, attestation.SheetKind]]) -> float:
        t0 = time.perf_counter()
        with Session(engine) as s:
            chosen = [attestation.sheet(deputy, i, kind=k, session=s) for i, k in keys]
            sheets_pdf(
                chosen, session=s, college_id=deputy.college_id, title="бенчмарк", deputy=deputy.full_name
            )
        return time.perf_counter() - t0

    def baseline() -> float:
        t0 = time.perf_counter()
        b.render_report(
            title="Проверка", subtitle="", college="", header_right="", blocks=[b.paragraph("Текст.")]
        )
        return time.perf_counter() - t0

    one_sheet(), many(group_keys), baseline()  # warm-up: fonts, the renderer, the pool
    times: dict[str, list[float]] = {"sheet": [], "group": [], "session": [], "baseline": []}
    for _ in range(args.repeat):
        times["baseline"].append(baseline())
        times["sheet"].append(one_sheet())
        times["group"].append(many(group_keys))
        times["session"].append(many(all_keys))
    ms = {k: statistics.median(v) * 1000 for k, v in times.items()}
    print(
        f"половина {half.year}/{half.year + 1}-{half.half}: ведомостей {len(all_keys)}, у группы {group} — "
        f"{len(group_keys)}; медианы из {args.repeat} прогонов"
    )
    print(
        f"sheet_ms={ms['sheet']:.0f} group_ms={ms['group']:.0f} session_ms={ms['session']:.0f} "
        f"baseline_ms={ms['baseline']:.0f} sheets={len(all_keys)} group_sheets={len(group_keys)} "
        f"sheet_vs_baseline={ms['sheet'] / ms['baseline']:.2f} session_vs_sheet={ms['session'] / ms['sheet']:.1f}"
    )
    if not args.keep:
        db.reset_engine()
        db.drop_database(server, BENCH_DATABASE)


if __name__ == "__main__":
    main()
