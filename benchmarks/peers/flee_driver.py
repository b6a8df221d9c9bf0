"""Drive Flee 3.1 itself on a Flee scenario folder, the way Flee's `runscripts/run.py` does.

The PyPI wheel of Flee 3.1 has no run script, so this module reproduces its daily order through
Flee's API: add new conflict zones, spawn from the refugee totals, refresh spawn weights, enact
closures, `evolve()`. Flee keeps settings in class attributes and spawning totals in module
globals, and draws from the global `random` and `numpy.random` generators: run one scenario per
process (`python flee_driver.py ...` or `run_flee_subprocess`) and seed both generators first.

Output: a CSV with Flee's `out.csv` columns (per camp `sim`, `data`, `error`, then the totals).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _input_folder(flee_dir: Path) -> Path:
    for name in ("input_csv", "test_input_csv"):
        if (flee_dir / name / "locations.csv").exists():
            return flee_dir / name
    return flee_dir


def _data_folder(flee_dir: Path, inputs: Path) -> Path:
    for candidate in (flee_dir / "source_data", inputs / "refugee_data", flee_dir):
        if (candidate / "data_layout.csv").exists():
            return candidate
    raise FileNotFoundError(f"no data_layout.csv under {flee_dir}")


def run_flee(
    flee_dir: Path,
    settings: Path,
    seed: int,
    out_csv: Path,
    hasten: int | None = None,
    days: int | None = None,
) -> dict:
    """Run Flee 3.1 once in this process; returns timing and agent counts."""
    import numpy as np
    from flee.datamanager import handle_refugee_data, read_period
    from flee.SimulationSettings import SimulationSettings

    from flee import InputGeography, flee, spawning

    flee_dir = Path(flee_dir)
    inputs = _input_folder(flee_dir)
    data = _data_folder(flee_dir, inputs)
    period = inputs / "sim_period.csv"
    if not period.exists():
        period = inputs / "conflict_period.csv"
    start_date, length = read_period.read_conflict_period(str(period))
    if days is not None:
        length = days

    stderr = sys.stderr
    with open(os.devnull, "w") as quiet:
        sys.stderr = quiet  # Flee prints every location and link to stderr
        try:
            SimulationSettings.ReadFromYML(str(settings))
            if hasten is not None:
                SimulationSettings.optimisations["PopulationScaleDownFactor"] = int(hasten)
            SimulationSettings.ConflictInputFile = str(inputs / "conflicts.csv")
            random.seed(seed)
            np.random.seed(seed)
            t0 = time.perf_counter()
            e = flee.Ecosystem()
            ig = InputGeography.InputGeography()
            ig.ReadConflictInputCSV(str(inputs / "conflicts.csv"))
            ig.ReadLocationsFromCSV(str(inputs / "locations.csv"))
            ig.ReadLinksFromCSV(str(inputs / "routes.csv"))
            ig.ReadClosuresFromCSV(str(inputs / "closures.csv"))
            e, lm = ig.StoreInputGeographyInEcosystem(e)
            d = handle_refugee_data.RefugeeTable(
                csvformat="generic",
                data_directory=str(data),
                start_date=start_date,
                data_layout="data_layout.csv",
                population_scaledown_factor=SimulationSettings.optimisations[
                    "PopulationScaleDownFactor"
                ],
            )
            d.ReadL1Corrections(str(inputs / "registration_corrections.csv"))
            camps = e.get_camp_names()
            header = ["Day", "Date"]
            for name in camps:
                spawning.add_initial_refugees(e, d, lm[name])
                header += [f"{name} sim", f"{name} data", f"{name} error"]
            header += [
                "Total error",
                "refugees in camps (UNHCR)",
                "total refugees (simulation)",
                "raw UNHCR refugee count",
                "refugees in camps (simulation)",
                "refugee_debt",
            ]
            t_setup = time.perf_counter() - t0
            rows = [",".join(header)]
            agent_steps = 0
            for t in range(length):
                ig.AddNewConflictZones(e, t)
                _, refugees_raw, refugee_debt = spawning.spawn_daily_displaced(e, t, d)
                spawning.refresh_spawn_weights(e)
                e.enact_border_closures(t)
                agent_steps += len(e.agents)
                e.evolve()
                sims = [lm[name].numAgents for name in camps]
                datas = [d.get_field(name, t) for name in camps]
                date = flee_date(start_date, t)
                row = [str(t), date]
                for s, v in zip(sims, datas, strict=True):
                    rel = 0.0 if v < 0.00001 else round(abs(float(s) / float(v) - 1), 4)
                    row += [str(s), str(v), str(rel)]
                abs_sum = sum(
                    round(abs(float(s) - float(v)), 4) for s, v in zip(sims, datas, strict=True)
                )
                if refugees_raw > 0:
                    row += [
                        str(abs_sum / float(refugees_raw)),
                        str(int(sum(datas))),
                        str(e.numAgents()),
                        str(refugees_raw),
                        str(sum(sims)),
                        str(refugee_debt),
                    ]
                else:
                    row += ["0.0", "0", str(e.numAgents()), "0", str(sum(sims)), "0"]
                rows.append(",".join(row))
            elapsed = time.perf_counter() - t0
        finally:
            sys.stderr = stderr
    out_csv = Path(out_csv)
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    out_csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return {
        "seconds": elapsed,
        "setup_seconds": t_setup,
        "agents": len(e.agents),
        "agent_steps": agent_steps,
        "days": length,
    }


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def bench_flee(flee_dir: Path, settings: Path, seed: int, agents: int, days: int) -> dict:
    """Benchmark: `agents` spawned at day 0 (Flee's spawn weights), then `days` days of evolve."""
    import resource

    import numpy as np
    from flee.SimulationSettings import SimulationSettings

    from flee import InputGeography, flee, spawning

    inputs = _input_folder(Path(flee_dir))
    stderr = sys.stderr
    with open(os.devnull, "w") as quiet:
        sys.stderr = quiet
        try:
            SimulationSettings.ReadFromYML(str(settings))
            SimulationSettings.ConflictInputFile = str(inputs / "conflicts.csv")
            random.seed(seed)
            np.random.seed(seed)
            e = flee.Ecosystem()
            ig = InputGeography.InputGeography()
            ig.ReadConflictInputCSV(str(inputs / "conflicts.csv"))
            ig.ReadLocationsFromCSV(str(inputs / "locations.csv"))
            ig.ReadLinksFromCSV(str(inputs / "routes.csv"))
            ig.ReadClosuresFromCSV(str(inputs / "closures.csv"))
            e, _ = ig.StoreInputGeographyInEcosystem(e)
            ig.AddNewConflictZones(e, 0)
            rss_before = _rss_bytes()
            spawning.spawn_agents(e, agents)
            t0 = time.perf_counter()
            for t in range(days):
                if t > 0:
                    ig.AddNewConflictZones(e, t)
                spawning.refresh_spawn_weights(e)
                e.enact_border_closures(t)
                e.evolve()
            seconds = time.perf_counter() - t0
        finally:
            sys.stderr = stderr
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "seconds": seconds,
        "agent_steps": agents * days,
        "bytes_per_agent": (peak - rss_before) / agents,
        "agents": agents,
        "days": days,
    }


def flee_date(start_date: str, t: int) -> str:
    import datetime as dt

    return str(dt.date.fromisoformat(start_date) + dt.timedelta(days=t))


def run_flee_subprocess(
    flee_dir: Path,
    settings: Path,
    seed: int,
    out_csv: Path,
    hasten: int | None = None,
    days: int | None = None,
) -> dict:
    """Run Flee 3.1 in a fresh Python process (Flee keeps global state between runs)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as info:
        info_path = info.name
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        str(flee_dir),
        str(settings),
        str(seed),
        str(out_csv),
        "--info",
        info_path,
    ]
    if hasten is not None:
        command += ["--hasten", str(hasten)]
    if days is not None:
        command += ["--days", str(days)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    result = json.loads(Path(info_path).read_text())
    os.unlink(info_path)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("flee_dir", type=Path)
    parser.add_argument("settings", type=Path)
    parser.add_argument("seed", type=int)
    parser.add_argument("out_csv", type=Path)
    parser.add_argument("--hasten", type=int, default=None)
    parser.add_argument("--days", type=int, default=None)
    parser.add_argument("--info", type=Path, default=None)
    parser.add_argument("--bench-agents", type=int, default=None)
    args = parser.parse_args()
    if args.bench_agents:
        info = bench_flee(args.flee_dir, args.settings, args.seed, args.bench_agents, args.days)
    else:
        info = run_flee(
            args.flee_dir, args.settings, args.seed, args.out_csv, args.hasten, args.days
        )
    if args.info:
        args.info.write_text(json.dumps(info))
    else:
        print(json.dumps(info))


if __name__ == "__main__":
    main()
