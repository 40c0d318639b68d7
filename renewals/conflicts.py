"""What the domain hears when storage refuses a change because a record with the same unique key exists
(a concurrent request committed it first). The unit of work raises it; the domain decides what it means."""


class AlreadyRecorded(Exception):
    pass
