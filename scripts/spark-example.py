#!/usr/bin/env python3
"""gazette as a stage of Apache Spark.

Reads a folder of JSON-lines articles ({"id", "text", "title"?, "published"?, ...}, one per
line), pipes every partition through `gazette extract` with RDD.pipe (gazette is a
stateless filter from JSON lines to JSON lines), and writes the events as Parquet
partitioned by event type and date (`type=commitment/date=2025-10-27/part-*.parquet`).

Each Parquet row has the fields analysts filter on as columns (doc_id, event_id, subtype,
modality, agents, counterparts, amount, time, ...) and the whole event record, exactly as
gazette wrote it, in `record` (JSON text), so nothing of the output contract is lost.

Local (pyspark from pip, Java 17):
    python scripts/spark-example.py articles/ events.parquet --gazette target/release/gazette

Cluster (the binary shipped to every executor; it lands in the executor's working dir):
    spark-submit --master yarn --files target/release/gazette \\
        scripts/spark-example.py hdfs:///news/2025/ hdfs:///events/2025/ --gazette ./gazette

See docs/spark.md for models, gazetteers and Hadoop Streaming.
"""

import argparse
import json
import os
import shlex
import shutil
import sys


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Extract events from a folder of JSON-lines articles with gazette on Spark; "
        "write them as Parquet partitioned by event type and date."
    )
    p.add_argument("input", help="folder (or glob) of .jsonl articles, any Hadoop file system")
    p.add_argument("output", help="Parquet folder to write")
    p.add_argument(
        "--gazette",
        help="the gazette binary: an absolute path present on every executor, or ./gazette "
        "for a binary shipped with --files (default: a shipped 'gazette', else gazette on PATH)",
    )
    p.add_argument(
        "--gazette-args",
        default="",
        help='extra flags for gazette extract, e.g. "--published 2025-10-27 --gazetteer ./extra.tsv"',
    )
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="gazette worker threads per Spark task (default 1: one task runs on one core)",
    )
    p.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="environment for gazette on the executors (RDD.pipe starts it with an empty "
        "one), e.g. LD_LIBRARY_PATH=./libtorch/lib for --ner bert; repeatable",
    )
    p.add_argument("--partitions", type=int, help="repartition the articles into N partitions")
    p.add_argument("--master", help="Spark master, e.g. local[2] (default: spark-submit's)")
    p.add_argument(
        "--mode",
        default="errorifexists",
        choices=["errorifexists", "overwrite", "append"],
        help="what to do when the output exists",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="fail the task when gazette reports a bad article (exit 1); by default bad "
        "articles are reported on the executor's stderr and the job goes on. A crash or "
        "usage error (any other exit code) always fails the task.",
    )
    return p.parse_args(argv)


def gazette_binary(sc, given):
    """The path the executors run. Relative ./NAME paths stay relative: a file shipped with
    --files lands in each executor's working directory, where the pipe runs."""
    from pyspark import SparkFiles

    if given:
        if given.startswith("./") and not sc.master.startswith("local"):
            return given
        path = os.path.abspath(given) if os.sep in given else shutil.which(given)
        if not path or not os.path.isfile(path):
            sys.exit(f"spark-example: gazette binary not found: {given}")
        return path
    shipped = SparkFiles.get("gazette")
    if os.path.isfile(shipped):
        return shipped if sc.master.startswith("local") else "./gazette"
    found = shutil.which("gazette")
    if not found:
        sys.exit("spark-example: no gazette binary: give --gazette PATH or ship it with --files")
    return found


def pipe_command(binary, threads, extra, strict):
    """`gazette extract` reading JSON lines on stdin, writing event records on stdout.
    Exit code 1 means some article was bad and the rest was processed; it is tolerated
    unless --strict. RDD.pipe runs the command with an empty environment, so it is
    wrapped in /bin/sh by absolute path."""
    cmd = [binary, "extract", "--input-format", "jsonl", "--emit", "events", "-j", str(threads)]
    cmd += shlex.split(extra)
    inner = " ".join(shlex.quote(c) for c in cmd)
    ok = 0 if strict else 1
    script = f'{inner}; rc=$?; if [ "$rc" -gt {ok} ]; then exit "$rc"; fi'
    return "/bin/sh -c " + shlex.quote(script)


def names(args):
    out = []
    for a in args or []:
        n = a.get("name") or a.get("text")
        if n and n not in out:
            out.append(n)
    return out


def to_row(line):
    """One event record as a Parquet row: query columns plus the record itself."""
    e = json.loads(line)
    amount = e.get("amount") or {}
    time = e.get("time") or {}
    place = e.get("place") or {}
    sentence = e.get("sentence") or {}
    value = amount.get("value")
    return (
        e.get("doc_id"),
        e.get("event_id"),
        e.get("subtype"),
        e.get("modality"),
        e.get("cameo"),
        e.get("plover"),
        (e.get("trigger") or {}).get("text"),
        names(e.get("agents")),
        names(e.get("counterparts")),
        place.get("name") or place.get("text"),
        float(value) if value is not None else None,
        amount.get("currency"),
        amount.get("text"),
        time.get("text"),
        sentence.get("index"),
        float(e.get("confidence") or 0.0),
        line,
        e.get("type"),
        time.get("value"),
    )


def schema():
    from pyspark.sql.types import (
        ArrayType,
        DoubleType,
        IntegerType,
        StringType,
        StructField,
        StructType,
    )

    s = StringType()
    return StructType(
        [
            StructField("doc_id", s),
            StructField("event_id", s),
            StructField("subtype", s),
            StructField("modality", s),
            StructField("cameo", s),
            StructField("plover", s),
            StructField("trigger", s),
            StructField("agents", ArrayType(s)),
            StructField("counterparts", ArrayType(s)),
            StructField("place", s),
            StructField("amount_value", DoubleType()),
            StructField("amount_currency", s),
            StructField("amount_text", s),
            StructField("time_text", s),
            StructField("sentence_index", IntegerType()),
            StructField("confidence", DoubleType()),
            StructField("record", s),
            # Partition columns: the event type, and the event's date (time.value, ISO 8601
            # at the precision the text gives; null when the event is undated).
            StructField("type", s),
            StructField("date", s),
        ]
    )


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("gazette-events")
    if args.master:
        builder = builder.master(args.master)
        if args.master.startswith("local"):
            builder = builder.config("spark.ui.enabled", "false")
    spark = builder.getOrCreate()
    sc = spark.sparkContext

    binary = gazette_binary(sc, args.gazette)
    command = pipe_command(binary, args.threads, args.gazette_args, args.strict)

    articles = sc.textFile(args.input).filter(lambda line: line.strip())
    if args.partitions:
        articles = articles.repartition(args.partitions)
    env = {"PATH": "/usr/bin:/bin"}
    for pair in args.env:
        name, _, value = pair.partition("=")
        env[name] = value
    events = articles.pipe(command, env=env, checkCode=True)
    rows = events.filter(lambda line: line.strip()).map(to_row)
    df = spark.createDataFrame(rows, schema())
    df.write.mode(args.mode).partitionBy("type", "date").parquet(args.output)

    written = spark.read.parquet(args.output).count()
    print(
        f"spark-example: {written} events from {articles.getNumPartitions()} partitions "
        f"written to {args.output} (gazette: {binary})",
        file=sys.stderr,
    )
    spark.stop()


if __name__ == "__main__":
    main()
