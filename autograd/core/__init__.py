"""The core of the engine, to read first and in one sitting: :mod:`~autograd.core.value` (the node),
:mod:`~autograd.core.kinds` (the op kinds and the registry), :mod:`~autograd.core.backward` (the one chain rule)
and :mod:`~autograd.core.mode` (grad mode and the watcher tools attach). It imports nothing outside itself."""

__all__: list[str] = []
