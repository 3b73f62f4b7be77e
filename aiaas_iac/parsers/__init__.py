"""One module per format; this module reads a file safely and dispatches to the right parser.

Every parser turns bytes into `Resource`s and `ParseError`s and knows nothing
about checks. Bad input never raises out of `parse_file`: it becomes one
`ParseError` naming the file (and line where known), and one bad file never
stops the scan of the others. Parsing one file has a time budget
(`ParseLimits.max_parse_seconds`, see `budget.py`): a file that takes longer
is reported as skipped.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Callable, Sequence

from aiaas_iac.discover import SourceFile
from aiaas_iac.model import ParseError, Resource

DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_DEPTH = 200
# Real files parse in well under a second; a 5 MiB manifest in a few seconds.
DEFAULT_MAX_PARSE_SECONDS = 10.0


@dataclass(frozen=True)
class ParseLimits:
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    max_parse_seconds: float = DEFAULT_MAX_PARSE_SECONDS  # 0: no budget


@dataclass(frozen=True)
class ParsedFile:
    resources: tuple[Resource, ...] = ()
    errors: tuple[ParseError, ...] = ()
    # Files skipped on purpose (Helm templates, non-IaC YAML...): informational only.
    notes: tuple[str, ...] = field(default=())
    suppressions: tuple = ()  # aiaas_iac.suppress.Suppression found in the file's comments
    # False when the file ran out of its time budget: that depends on the machine's load, not on
    # the file, so neither the file's parse nor the scan's result is remembered.
    complete: bool = True


class SourceError(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def decode_source(data: bytes) -> str:
    """UTF-8 text (BOM stripped, CRLF normalised) or a SourceError saying where it is not."""
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise SourceError("contains NUL bytes (binary file?)", data.count(b"\n", 0, offset) + 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SourceError(f"not valid UTF-8 (byte 0x{data[error.start]:02x})", line) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_source(source: SourceFile, limits: ParseLimits) -> bytes:
    try:
        size = source.path.stat().st_size
        if size > limits.max_file_bytes:
            raise SourceError(
                f"file is {size / 1048576:.1f} MiB, over the {limits.max_file_bytes / 1048576:.1f} MiB limit; skipped"
            )
        with open(source.path, "rb") as handle:
            return handle.read(limits.max_file_bytes + 1)
    except FileNotFoundError:
        raise SourceError("file disappeared during the scan") from None
    except IsADirectoryError:
        raise SourceError("is a directory") from None
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror or error}") from None


def parse_file(source: SourceFile, limits: ParseLimits = ParseLimits(), use_cache: bool = False,
               deferred: list | None = None, store: bool = True) -> ParsedFile:
    """Read and parse one file. Never raises for bad input. With `use_cache`, a cached result is
    used, and a new one stored unless `store` is False; with `deferred`, it is encoded now and
    appended to it as (key, text), to be written later."""
    try:
        data = read_source(source, limits)
    except SourceError as error:
        return ParsedFile(errors=(ParseError(source.rel, str(error), error.line),))
    key = None
    if use_cache:
        from aiaas_iac import cache

        key = cache.cache_key(source, cache.content_digest(data), limits)
        cached = cache.load_parsed(key)
        if cached is not None:
            return cached
    parsed = parse_bytes(source, data, limits)
    if key is not None and store and parsed.complete:
        if deferred is not None:
            encoded = cache.encoded_for_cache(source, parsed)
            if encoded is not None:
                deferred.append((key, encoded))
        else:
            cache.store_parsed(key, source, parsed)
    return parsed


def parse_bytes(source: SourceFile, data: bytes, limits: ParseLimits) -> ParsedFile:
    """One file's content parsed, within the time budget. Never raises for bad input."""
    from aiaas_iac.parsers.budget import within_budget

    parsed = within_budget(limits.max_parse_seconds, lambda: _parse_bytes(source, data, limits))
    if parsed is None:
        message = f"took longer than {limits.max_parse_seconds:g} s to parse; skipped"
        return ParsedFile(errors=(ParseError(source.rel, message),), complete=False)
    return parsed


def _parse_bytes(source: SourceFile, data: bytes, limits: ParseLimits) -> ParsedFile:
    try:
        text = decode_source(data)
        parsed = _dispatch(source, text, limits)
        if parsed.resources:
            from aiaas_iac.suppress import find_suppressions

            suppressions = find_suppressions(text, source.rel, comment_syntax(source))
            if suppressions:
                parsed = dataclasses.replace(parsed, suppressions=suppressions)
        return parsed
    except SourceError as error:
        return ParsedFile(errors=(ParseError(source.rel, str(error), error.line),))
    except Exception as error:  # the per-file boundary: see failure_message
        return ParsedFile(errors=(ParseError(source.rel, failure_message(error)),))


def failure_message(error: Exception) -> str:
    """Whatever a parser raised on this file, as its one error. Never the exception's text,
    which can quote the input."""
    if isinstance(error, RecursionError):
        return "nesting too deep to analyse; skipped"
    if isinstance(error, MemoryError):
        return "too large to analyse in memory; skipped"
    if isinstance(error, ValueError) and "integer string conversion" in str(error):
        return "holds a number with more than 4,300 digits; skipped"
    if isinstance(error, OverflowError):
        return "holds a number too large to analyse; skipped"
    # A parser bug met on this file: the scan of the other files goes on.
    return f"could not be analysed (internal error: {type(error).__name__}); skipped"


def comment_syntax(source: SourceFile) -> str:
    """How comments are written in the file, for suppressions: `hcl`, `yaml`, or `json` (none:
    a `.json` file is JSON even when a YAML reader had to accept it)."""
    if source.kind in ("terraform", "tfvars", "bicep", "bicepparam"):
        return "hcl"
    if source.kind != "structured" or source.rel.lower().endswith(".json"):
        return "json"
    return "yaml"


def _dispatch(source: SourceFile, text: str, limits: ParseLimits) -> ParsedFile:
    if source.kind in ("terraform", "tfvars"):
        from aiaas_iac.parsers import terraform

        try:
            if not text.strip():
                return ParsedFile()
            parse = terraform.parse_terraform if source.kind == "terraform" else terraform.parse_tfvars
            return ParsedFile(resources=tuple(parse(text, source.rel, source.module)))
        except terraform.HclSyntaxError as error:
            raise SourceError(str(error), error.line) from None
    if source.kind in ("tfjson", "tfvarsjson"):
        from aiaas_iac.parsers import terraform_json

        return terraform_json.parse(source, text, limits)
    if source.kind == "tfmodules":  # .terraform/modules/modules.json: see module_manifest
        from aiaas_iac.module_manifest import manifest_resource

        resource, notes = manifest_resource(text, source.rel)
        return ParsedFile(resources=(resource,), notes=tuple(notes))
    if source.kind in ("bicep", "bicepparam"):
        from aiaas_iac.parsers import bicep

        return bicep.parse(source.rel, text, limits, parameters_file=source.kind == "bicepparam")
    if source.kind == "structured":
        from aiaas_iac.parsers import structured

        return structured.parse(source, text, limits)
    return ParsedFile()


# Below this many files a process pool costs more (start-up, imports, pickling) than it saves.
PARALLEL_MIN_FILES = 48


# In a worker process: the cache entries of the files it parsed, encoded as each file is parsed (the
# text is small; keeping the parse results themselves until later cost 35 MB on 1,000 files) and
# written only after the scan has every parse result (`_store_in_worker`), while the checks run in
# the main process.
_deferred: list = []
_store_barrier = None


def _init_worker(barrier: object) -> None:
    global _store_barrier
    _store_barrier = barrier
    _deferred.clear()


def _parse_in_worker(args: tuple) -> ParsedFile:
    source, limits, use_cache, defer, store = args
    return parse_file(source, limits, use_cache, deferred=_deferred if defer else None, store=store)


def _store_in_worker(timeout: float) -> int:
    """Write this worker's deferred entries; the number written. Every worker runs exactly one
    such task: each waits at the barrier until all have one, so none can take two (and, the
    tasks being queued after every parse task, none waits long: the others are on their last)."""
    import threading

    from aiaas_iac import cache

    try:
        _store_barrier.wait(timeout)  # type: ignore[union-attr]
    except threading.BrokenBarrierError:
        return 0  # a worker is missing: its entries, and these, are simply not cached
    before = cache._written
    while _deferred:
        key, encoded = _deferred.pop()
        cache.write_entry(key, None, encoded)
    return cache._written - before


def _from_cache(source: SourceFile, limits: ParseLimits, digest: str | None) -> ParsedFile | None:
    from aiaas_iac import cache

    if digest is None:
        try:
            digest = cache.content_digest(read_source(source, limits))
        except SourceError:
            return None
    return cache.load_parsed(cache.cache_key(source, digest, limits))


def parse_files(sources: Sequence[SourceFile], limits: ParseLimits = ParseLimits(), *,
                progress: Callable[[int, int], None] | None = None, use_cache: bool = True,
                jobs: int | None = None, digests: dict[str, str] | None = None,
                pending: list[Callable[[], None]] | None = None,
                meanwhile: Callable[[], None] | None = None, store: bool = True) -> list[ParsedFile]:
    """Parse every file, in the order given (deterministic output whatever the parallelism).

    `digests` (relative path -> content digest), when the caller already hashed the files,
    spares reading them again to look them up in the cache.

    Cached files are read here; only the others are parsed, spread over processes when there
    are enough of them to pay for the pool (a pull request touching a few files stays serial).
    Worker processes write their new cache entries after every result is in: with `pending`,
    a callable that waits for those writes is appended to it and the caller calls it when it
    is done (the writes overlap its work); without, this waits before returning. `meanwhile` is
    called once, while the workers parse (or first, when parsing is serial). `store=False` reads
    the cache but writes nothing to it.
    """
    import os

    results: dict[int, ParsedFile] = {}
    if use_cache:
        for index, source in enumerate(sources):
            cached = _from_cache(source, limits, (digests or {}).get(source.rel))
            if cached is not None:
                results[index] = cached
    todo = [i for i in range(len(sources)) if i not in results]
    workers = jobs if jobs is not None else min(os.cpu_count() or 1, 8)

    def report(done: int) -> None:
        if progress is not None:
            progress(done, len(sources))

    if workers <= 1 or len(todo) < PARALLEL_MIN_FILES:
        if meanwhile is not None:
            meanwhile()
        for done, index in enumerate(todo, len(results) + 1):
            report(done)
            results[index] = parse_file(sources[index], limits, use_cache, store=store)
        return [results[i] for i in range(len(sources))]
    from concurrent.futures import ProcessPoolExecutor

    # Workers fork with the HCL parsers already built (expressions in `.tf.json` use python-hcl2's).
    if any(sources[i].kind in ("terraform", "tfvars") for i in todo):
        from aiaas_iac.parsers.terraform_ts import parser as tree_sitter_parser

        tree_sitter_parser()
    if any(sources[i].kind == "tfjson" for i in todo):
        from hcl2.parser import parser

        parser()
    import multiprocessing

    chunk = max(4, len(todo) // (workers * 8))
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    # Deferred writes need every worker to take one store task; with fork, all workers start at once.
    deferred_writes = use_cache and store and context is not None
    barrier = context.Barrier(workers) if deferred_writes else None
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(barrier,))
    try:
        parsed_files = pool.map(_parse_in_worker, [(sources[i], limits, use_cache, deferred_writes, store) for i in todo],
                                chunksize=chunk)
        # Queued behind every parse task (map submitted them all): a worker takes its store task once
        # no parsing is left to take, and writes while this process collects the results and checks.
        stores = [pool.submit(_store_in_worker, 60.0) for _ in range(workers)] if deferred_writes else []
        if meanwhile is not None:
            meanwhile()
        for done, (index, parsed) in enumerate(zip(todo, parsed_files), len(results) + 1):
            report(done)
            results[index] = parsed
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=False)  # the workers exit (their memory with them) once their store task is done

    def finish() -> None:
        from aiaas_iac import cache

        for store in stores:
            try:
                cache._written += store.result()
            except Exception:  # a worker that died while writing: those entries are not cached
                pass
        pool.shutdown(wait=True)

    if pending is not None:
        pending.append(finish)
    else:
        finish()
    return [results[i] for i in range(len(sources))]
