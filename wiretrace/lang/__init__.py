"""The language layer: every language primitive once, and every per-language word list.

- :mod:`.names`: the name skeleton and name matcher (Лукашенко = Lukashenka);
- :mod:`.numbers`: the number parser ("35 000", "35.000", "35 тыс.");
- :mod:`.dates`: ISO-8601 instants with one time-zone rule;
- :mod:`.align`: the margin aligner that pairs sentences across languages;
- :mod:`.titles`: site names cut off headlines ("Headline | Site");
- :mod:`.tables`: the data files, ``data/<code>.json`` per language plus
  ``data/multilingual.json``; adding a language is adding one file.

The layer depends on no stage: stages import it, never the other way round.
"""
