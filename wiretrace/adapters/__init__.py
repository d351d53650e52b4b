"""Store adapters: run a stage against a store.

Each adapter loads a stage's inputs through the store's repositories, calls the stage's pure
functions and persists what they return. The runner (the pipeline, the CLI, the web layer)
calls adapters; stages never import them, nor the store, so a distributed runner can schedule
the same stages on plain records.
"""
