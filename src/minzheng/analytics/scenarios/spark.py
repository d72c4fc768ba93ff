"""The Spark engine (``--engine spark``): the same SQL, transpiled by sqlglot, on a Spark session.

PySpark is an optional extra (``pip install 'minzheng[spark]'``; Java 17 or later). Where Spark runs:

- ``--spark-master URL`` or ``MINZHENG_SPARK_MASTER``: ``spark://host:7077`` (standalone), ``yarn``,
  ``k8s://…``; default ``local[2]`` (this machine, two cores). The data directory must be readable at
  the same path by the executors (a shared mount, or point ``MINZHENG_DATA_DIR`` at it).
- ``MINZHENG_SPARK_CONF``: extra settings, ``key=value`` pairs separated by ``;`` (e.g.
  ``spark.executor.memory=8g;spark.executor.cores=4``); ``SPARK_CONF_DIR``/``spark-defaults.conf`` work too.
- ``MINZHENG_SPARK_DRIVER_MEMORY`` (default ``1g``): the driver's heap (in local mode, all of Spark).

Results are collected to the driver: alerts are thousands of rows, never millions.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pyarrow as pa

from minzheng.analytics.scenarios.engine import Source

DEFAULT_MASTER = "local[2]"


def get_session(master: str | None = None, *, app_name: str = "minzheng-monitoring", driver_memory: str | None = None,
                shuffle_partitions: int | None = None, conf: dict[str, str] | None = None) -> Any:
    """A Spark session for the scenarios (``getOrCreate``: an existing session in this process is reused,
    its settings unchanged). ``conf``: further settings (after ``MINZHENG_SPARK_CONF``)."""
    from pyspark.sql import SparkSession

    master = master or os.environ.get("MINZHENG_SPARK_MASTER") or DEFAULT_MASTER
    local = master.startswith("local")
    builder = (
        SparkSession.builder.master(master).appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", driver_memory or os.environ.get("MINZHENG_SPARK_DRIVER_MEMORY", "1g"))
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if local:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions or 2))
    elif shuffle_partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    for item in filter(None, (os.environ.get("MINZHENG_SPARK_CONF") or "").split(";")):
        key, _, value = item.partition("=")
        builder = builder.config(key.strip(), value.strip())
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


def spark_type(sql_type: str) -> Any:
    from pyspark.sql import types as T

    if m := _DECIMAL.fullmatch(sql_type):
        return T.DecimalType(int(m[1]), int(m[2]))
    return {"VARCHAR": T.StringType(), "DATE": T.DateType(), "DOUBLE": T.DoubleType(), "BOOLEAN": T.BooleanType(),
            "INTEGER": T.IntegerType(), "BIGINT": T.LongType()}[sql_type]


def _arrow_to_spark_type(t: pa.DataType) -> Any:
    from pyspark.sql import types as T

    if pa.types.is_decimal(t):
        return T.DecimalType(t.precision, t.scale)
    if pa.types.is_date(t):
        return T.DateType()
    return T.StringType()


def split_ctes(sql: str, prefix: str = "__cte_") -> tuple[list[tuple[str, str, bool]], str]:
    """A Spark SQL query's CTEs as ``(view name, SELECT, used more than once)`` in order, and the final
    SELECT over those views (CTE names get ``prefix`` so they cannot shadow an input view)."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="spark")
    with_ = tree.args.get("with_")
    if with_ is None:
        return [], sql
    names = {cte.alias for cte in with_.expressions}
    uses: dict[str, int] = dict.fromkeys(names, 0)
    for table in tree.find_all(exp.Table):
        if table.name in names and not table.args.get("db"):
            uses[table.name] += 1
            if not table.alias:  # columns qualified by the CTE's name keep resolving
                table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name)))
            table.set("this", exp.to_identifier(prefix + table.name))
    views = [(prefix + cte.alias, cte.this.sql("spark"), uses[cte.alias] > 1) for cte in with_.expressions]
    tree.set("with_", None)
    return views, tree.sql("spark")


class SparkRunner:
    """Views over the Parquet files, the common terms as cached temporary views."""

    def __init__(self, master: str | None = None, *, spark: Any = None) -> None:
        self.spark = spark or get_session(master)
        self.own_session = spark is None
        self.cached: list[str] = []

    def load(self, srcs: list[Source], params_table: pa.Table, codes_table: pa.Table) -> None:
        from pyspark.sql import types as T

        for s in srcs:
            schema = T.StructType([T.StructField(c, spark_type(t), True) for c, t in s.schema])
            if s.files:
                df = self.spark.read.parquet(*[str(f) for f in s.files]).select(*[c for c, _ in s.schema])
                for c, t in s.schema:  # a file written with another physical type (e.g. an older delivery)
                    if df.schema[c].dataType != spark_type(t):
                        df = df.withColumn(c, df[c].cast(spark_type(t)))
            else:
                df = self.spark.createDataFrame([], schema)
            df.createOrReplaceTempView(s.name)
        for name, table in (("params", params_table), ("param_codes", codes_table)):
            schema = T.StructType([T.StructField(f.name, _arrow_to_spark_type(f.type), True) for f in table.schema])
            rows = [tuple(r.values()) for r in table.to_pylist()]
            self.spark.createDataFrame(rows, schema).createOrReplaceTempView(name)

    def materialise(self, name: str, sql: str) -> None:
        self.spark.sql(sql).createOrReplaceTempView(name)
        self.spark.catalog.cacheTable(name)
        self.cached.append(name)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Run one scenario. Spark inlines a CTE at every reference (a scenario's ``hit`` would be computed
        once per evidence branch), so each CTE becomes a temporary view, cached when used more than once."""
        views, final = split_ctes(sql)
        made: list[str] = []
        try:
            for name, body, shared in views:
                self.spark.sql(body).createOrReplaceTempView(name)
                made.append(name)
                if shared:
                    self.spark.catalog.cacheTable(name)
            return [tuple(r) for r in self.spark.sql(final).collect()]
        finally:
            for name in made:
                if self.spark.catalog.isCached(name):
                    self.spark.catalog.uncacheTable(name)
                self.spark.catalog.dropTempView(name)

    def close(self) -> None:
        for name in self.cached:
            self.spark.catalog.uncacheTable(name)
            self.spark.catalog.dropTempView(name)
        self.cached = []
        if self.own_session:
            self.spark.stop()
