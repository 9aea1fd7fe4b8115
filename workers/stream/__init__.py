"""The Faust stream worker: Kafka in, ``Article`` and ``Rejected`` records out.

Modules: :mod:`~workers.stream.records` (pure message <-> record helpers), :mod:`~workers.stream.executor`
(the pipeline in a child process with a per-message time budget), :mod:`~workers.stream.topics` (topic
creation), :mod:`~workers.stream.app` (Faust app and agent), :mod:`~workers.stream.runner` (process
entry point, signals, exit codes), :mod:`~workers.stream.logs` (text/JSON logging).
"""
