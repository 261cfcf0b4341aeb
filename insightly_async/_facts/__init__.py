"""What is known about the Insightly v3.1 API, in one home.

Every other part of the package reads these modules instead of keeping its own copy: the
models and their generator, the request funnel, the emulator in ``testing/`` and the CLI.

- :mod:`~insightly_async._facts.catalog`: the record types, their paths, ids, verbs and
  sub-resources;
- :mod:`~insightly_async._facts.fields`: the fields of each record type and the order of
  their keys on the wire (the Swagger schemas, corrected by the recorded responses);
- :mod:`~insightly_async._facts.wire`: date formats, name patterns, page size, headers,
  and what each status says about a request's fate;
- :mod:`~insightly_async._facts.spec`: Insightly's own Swagger document.

Nothing here does I/O (beyond reading the packaged Swagger document) or knows about HTTP
clients, models or the emulator.
"""
