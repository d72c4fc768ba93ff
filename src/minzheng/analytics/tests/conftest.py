"""Session fixtures of the monitoring tests: one small synthetic city, taken into an analytic store once
(population, the nine feeds, the archive snapshot straight from the registry files: no Django database),
and one Spark session shared by every test that runs the Spark engine."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from minzheng.analytics import feeds, population
from minzheng.analytics.scenarios import archive
from minzheng.intake import readers

AS_OF = dt.date(2025, 7, 31)
PERSONS = 5000
SEED = 7


@dataclass
class Store:
    city: Path
    data_dir: Path
    population: population.PopulationResult
    feeds: dict[str, feeds.FeedResult] = field(default_factory=dict)
    rejects: Path = Path()


def take_population(city: Path, data_dir: Path, rejects: Path) -> population.PopulationResult:
    path = city / "population.csv"
    return population.intake(lambda: readers.read_batches(path), columns=readers.header(path),
                             sha256=readers.sha256(path), data_dir=data_dir,
                             rejects_csv=rejects / "population.csv.rejects.csv", today=dt.date.today())


def build_store(city: Path, data_dir: Path) -> Store:
    rejects = data_dir / "rejects"
    store = Store(city, data_dir, take_population(city, data_dir, rejects), rejects=rejects)
    for name in feeds.FEEDS:
        store.feeds[name] = feeds.intake_file(city / f"{name}.csv", data_dir=data_dir,
                                              rejects_csv=rejects / f"{name}.csv.rejects.csv")
    archive.from_registry_files(city, data_dir)
    return store


@pytest.fixture(scope="session")
def mon_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from minzheng.synth import city

    out = tmp_path_factory.mktemp("mon-city")
    city.generate(out, persons=PERSONS, seed=SEED, as_of=AS_OF, quiet=True)
    return out


@pytest.fixture(scope="session")
def mon_store(mon_city: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    return build_store(mon_city, tmp_path_factory.mktemp("mon-store"))


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """One local Spark session (two cores, 1 GB driver) for the whole test session. On a few thousand rows
    compiling generated code and re-planning adaptively cost more than they save: both are off here."""
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java 17 (no java on PATH)")
    from minzheng.analytics.scenarios.spark import get_session

    spark = get_session("local[2]", app_name="minzheng-tests", driver_memory="1g", shuffle_partitions=1,
                        conf={"spark.sql.codegen.wholeStage": "false", "spark.sql.adaptive.enabled": "false"})
    yield spark
    spark.stop()
