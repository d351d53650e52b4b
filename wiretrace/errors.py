"""Every error wiretrace raises, in one place.

Each error carries a short stable ``code`` so scripts and the summary printed after a run
can count failures by kind without parsing messages.
"""

from __future__ import annotations


class WiretraceError(Exception):
    """Base class for all wiretrace errors."""

    code = "E000"

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        if self.path:
            return f"{self.path}: {self.message}"
        return self.message


class SourceError(WiretraceError):
    """A file could not be read or parsed as any supported source format."""

    code = "E100"


class EmptySourceError(SourceError):
    code = "E101"


class BinarySourceError(SourceError):
    code = "E102"


class TooLargeError(SourceError):
    code = "E103"


class DecodeError(SourceError):
    code = "E104"


class CorruptArchiveError(SourceError):
    code = "E105"


class MalformedRecordError(SourceError):
    """One record in a multi-record file (JSONL line, feed item, WARC record) is unusable."""

    code = "E106"


class PermissionDeniedError(SourceError):
    code = "E107"


class DuplicateIdError(SourceError):
    """Two different documents claim the same article id within one run."""

    code = "E108"


class MalformedSourceError(SourceError):
    """A file in a supported format is not well-formed (a broken XML feed, invalid JSON, a
    WARC that is not WARC); anything read before the break has already been returned."""

    code = "E109"


class NotRegularFileError(SourceError):
    """A path that is a FIFO, socket or device: reading it could block or never end."""

    code = "E110"


class RemoteSourceError(SourceError):
    """An input on another filesystem (``s3://``, ``gs://``, ...) that could not be listed or
    read: no such filesystem in this pyarrow build, a URI it does not take, failed
    credentials or an unreachable service."""

    code = "E111"


class ExtractionError(WiretraceError):
    """A document was read but no article text could be extracted from it."""

    code = "E200"


class NotAnArticleError(ExtractionError):
    """The page is a bot check, consent or paywall notice, or an error page, not an article."""

    code = "E201"


class OverBudgetError(ExtractionError):
    """A document needed more time, memory or size than one article may take (see
    ``wiretrace.extract.guards``); it is refused so that it cannot stall the run."""

    code = "E202"


class InternalDocumentError(ExtractionError):
    """An unexpected failure (a bug) while processing one document; the run goes on."""

    code = "E299"


class StoreError(WiretraceError):
    code = "E300"


class SchemaVersionError(StoreError):
    """The database was written by a newer wiretrace than this one."""

    code = "E301"


class NotFoundError(WiretraceError):
    """An article, story or entity id that is not in the store."""

    code = "E400"


class ModelUnavailableError(WiretraceError):
    """An optional model backend was requested but its package is not installed."""

    code = "E500"


class ModelFeaturesError(WiretraceError):
    """A shipped model was trained on other feature columns than the code computes."""

    code = "E501"


class UsageError(WiretraceError):
    code = "E600"


class StageChainError(UsageError):
    """A stage requires data that no earlier stage in the chain writes (found at start-up)."""

    code = "E601"


class UnknownSignalError(UsageError):
    """A signal filter naming no signal wiretrace computes (the message lists the valid ones)."""

    code = "E602"


class InvalidFilterError(UsageError):
    """A filter value no record can have the form of (``--lang English``, ``--since
    yesterday``); the message lists the valid values or the form expected."""

    code = "E603"


class CorrectionError(UsageError):
    """A correction that cannot be made as asked (an article not in the story, a story merged
    into itself, undoing what is already undone); the message says what to do instead."""

    code = "E610"


class InternalError(WiretraceError):
    """A bug that stopped a command; the traceback goes to a crash log (exit code 3)."""

    code = "E900"
