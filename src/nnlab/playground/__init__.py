"""nnlab's playground: TensorFlow Playground's page, training on nnlab in a local server.

Run it with ``nnlab playground`` or :func:`nnlab.playground.server.serve`. Modules:
``network`` (the MLP on the engine), ``session`` (one tab's training state), ``protocol`` (the
messages and their validation), ``export`` (a Keras script / model file), ``server`` (the app).
"""
