"""Fault-injection suite: real broker, real worker processes, every input accounted for."""
