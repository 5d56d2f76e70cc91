"""The scorer registry: found lazily in the entry-point group ``ecomstrat.scorers``, run in bulk.

Scorers (:mod:`ecomstrat.scoring.context`) come from three places:

* the built-in table :data:`BUILTIN_SCORERS` (``rfm``, ``clv``, ``p_alive``, ``churn_risk``,
  ``lead``), which the project's ``pyproject.toml`` also publishes as entry points;
* installed distributions that declare entry points in the group ``ecomstrat.scorers``;
* :func:`register`, for scorers defined in the running program.

The registry is *lazy*: :func:`available` lists names from the distributions' metadata without
importing any plugin, and a plugin module is imported the first time its scorer is used. It is
*strict when asked by name* (:func:`get` raises :class:`~ecomstrat.PluginLoadError` naming the
entry point and its distribution) and *forgiving when scoring* (:func:`score` and
:func:`score_all` report a plugin that fails to load or returns bad scores with a
:class:`~ecomstrat.PluginWarning` and go on with the others). Set the environment variable
``ECOMSTRAT_DISABLE_PLUGINS=1`` to ignore installed plugins; built-in and in-process scorers
stay. See :doc:`/howto-scorer-plugin`.

Examples
--------
>>> import numpy as np
>>> from ecomstrat import CustomerSummary
>>> from ecomstrat.scoring import ScoringContext, score
>>> summary = CustomerSummary(
...     np.array(["a", "b", "c", "d", "e"]),
...     frequency=np.array([0, 1, 2, 4, 0]),
...     recency=np.array([0.0, 10.0, 30.0, 50.0, 0.0]),
...     T=np.array([5.0, 40.0, 60.0, 55.0, 90.0]),
...     monetary=np.array([0.0, 30.0, 35.0, 95.0, 0.0]),
...     total_value=np.array([20.0, 50.0, 90.0, 400.0, 10.0]),
... )
>>> context = ScoringContext(summary, engagement={"visits": [0, 3, 10, 1, 0]})
>>> sorted(context.inputs)
['engagement:visits', 'summary', 'summary:total_value']
>>> scores = score(context, names=["rfm"])
>>> scores
Scores(5 customers; rfm)
>>> scores["rfm"].tolist()
[7.0, 8.0, 10.0, 14.0, 3.0]
"""

from __future__ import annotations

import difflib
import importlib
import os
import re
import sys
import threading
import warnings
from collections.abc import Iterable, Mapping
from importlib import metadata
from types import FrameType, MappingProxyType
from typing import Any, Literal, TypeAlias

import attrs
import numpy as np

from ecomstrat._typing import FloatArray
from ecomstrat._validation import check_choice, invalid, plain
from ecomstrat.exceptions import (
    PluginLoadError,
    PluginWarning,
    ScorerOutputError,
    UnknownCodeError,
)
from ecomstrat.scoring.context import Scorer, Scores, ScoringContext

#: The entry-point group scorer plugins declare.
ENTRY_POINT_GROUP = "ecomstrat.scorers"
#: Set this environment variable to ``1`` (or ``true``, ``yes``, ``on``) to ignore plugins.
DISABLE_PLUGINS_ENV = "ECOMSTRAT_DISABLE_PLUGINS"
#: The built-in scorers, as entry-point values. ``pyproject.toml`` declares the same table under
#: ``[project.entry-points."ecomstrat.scorers"]``; this copy makes them available from a source
#: tree that is not installed, and is authoritative over the installed ``ecomstrat`` metadata.
BUILTIN_SCORERS: Mapping[str, str] = MappingProxyType(
    {
        "churn_risk": "ecomstrat.scoring.builtin:churn_risk_score",
        "clv": "ecomstrat.scoring.builtin:clv_score",
        "lead": "ecomstrat.scoring.builtin:lead_score",
        "p_alive": "ecomstrat.scoring.builtin:p_alive_score",
        "rfm": "ecomstrat.scoring.builtin:rfm_score",
    }
)

_OWN_DISTRIBUTION = "ecomstrat"
_TRUE = frozenset({"1", "true", "yes", "on"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_REQUIREMENT = re.compile(
    r"summary|summary:total_value|log|model|engagement:[A-Za-z_][A-Za-z0-9_]*"
)
_FIX_PLUGIN = (
    "Fix or uninstall the distribution {dist!r}, or set "
    f"{DISABLE_PLUGINS_ENV}=1 to use only the built-in scorers."
)

Errors: TypeAlias = Literal["warn", "raise"]
Origin: TypeAlias = Literal["builtin", "plugin", "registered"]


# ------------------------------------------------------------------------------ errors, warnings


def _warn(message: str) -> None:
    """Warn at the first frame outside this module (the user's call)."""
    frame: FrameType | None = sys._getframe(0)
    level = 1
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
        level += 1
    warnings.warn(message, PluginWarning, stacklevel=level)


def _requirement_hint(token: str) -> str:
    if token == "model":
        return "model=<a fitted model, e.g. BGNBD().fit(summary)>"
    if token == "log":
        return "log=<the TransactionLog>"
    if token == "summary:total_value":
        return "a summary with total_value (ecomstrat.rfm_summary makes one)"
    column = token.partition(":")[2]
    return f"engagement={{{column!r}: counts}}"


# ------------------------------------------------------------------------------------ the scorer


def _scorer_problem(obj: object, entry_name: str | None) -> str | None:
    """Why ``obj`` is not a valid scorer (``None`` if it is one)."""
    fix = "A scorer needs name, description, requires and score(context); see ecomstrat.Scorer."
    if isinstance(obj, type):
        return (
            f"it is the class {obj.__qualname__}, not an instance. Point the entry point at an"
            f" instance, e.g. `my_scorer = {obj.__name__}()`"
        )
    kind = f"{type(obj).__module__}.{type(obj).__qualname__}"
    name = getattr(obj, "name", None)
    if not isinstance(name, str):
        return f"the {kind} object has no str attribute 'name'. {fix}"
    if not _NAME.fullmatch(name):
        return (
            f"its name {name!r} is not a valid scorer name (letters, digits, '_', '.', '-';"
            " not first a digit)"
        )
    if entry_name is not None and name != entry_name:
        return f"its name is {name!r} but the entry point is named {entry_name!r}: they must match"
    if not isinstance(getattr(obj, "description", None), str):
        return f"the {kind} object has no str attribute 'description'. {fix}"
    requires = getattr(obj, "requires", None)
    if not isinstance(requires, frozenset) or not all(isinstance(t, str) for t in requires):
        return f"its 'requires' must be a frozenset of str, got {requires!r}. {fix}"
    unknown = sorted(t for t in requires if not _REQUIREMENT.fullmatch(t))
    if unknown:
        return (
            f"its 'requires' holds unknown input(s) {', '.join(map(repr, unknown))}: valid are"
            " 'summary', 'summary:total_value', 'log', 'model' and 'engagement:<column>'"
        )
    if not callable(getattr(obj, "score", None)):
        return f"the {kind} object has no method score(context). {fix}"
    return None


def _check_scores(values: object, context: ScoringContext) -> FloatArray | str:
    """The scores as a new float64 array, or why they are not acceptable."""
    n = context.n_customers
    if not isinstance(values, np.ndarray):
        return (
            f"returned a {type(values).__name__}, not a numpy array: scores must be a float64"
            f" array of shape ({n},)"
        )
    if values.shape != (n,):
        return (
            f"returned an array of shape {values.shape}: scores must have shape ({n},),"
            " one per customer of the context"
        )
    if not np.can_cast(values.dtype, np.float64, casting="safe"):
        return f"returned an array of dtype {values.dtype}, which does not cast safely to float64"
    scores = np.array(values, dtype=np.float64)
    bad = ~np.isfinite(scores)
    if bad.any():
        i = int(np.argmax(bad))
        return (
            f"returned {plain(scores[i])!r} for customer {plain(context.customer_ids[i])!r}"
            f" (row {i}; {int(bad.sum())} non-finite score(s) in all): scores must be finite"
        )
    return scores


# ---------------------------------------------------------------------------------- the registry


@attrs.frozen
class ScorerEntry:
    """Where a scorer comes from, as listed by :meth:`ScorerRegistry.entries` (no import).

    Parameters
    ----------
    name : str
        The scorer's name.
    origin : {"builtin", "plugin", "registered"}
        Built-in table, installed distribution, or :func:`register`.
    entry_point : str, optional
        ``"module:attr"`` for entry points.
    distribution : str, optional
        ``"name version"`` of a plugin's distribution.
    """

    name: str
    origin: Origin
    entry_point: str | None = None
    distribution: str | None = None

    def describe(self) -> str:
        """Where the scorer comes from, in words (used in warnings and errors)."""
        if self.origin == "builtin":
            return f"built-in entry point '{self.name} = {self.entry_point}'"
        if self.origin == "plugin":
            return (
                f"entry point '{self.name} = {self.entry_point}' of distribution"
                f" {self.distribution!r}"
            )
        return "registered in-process"


@attrs.define(eq=False)
class _Source:
    entry: ScorerEntry
    entry_point: metadata.EntryPoint
    sort_key: tuple[int, str, str]


def _normalize(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _plugin_source(entry_point: metadata.EntryPoint) -> _Source:
    dist = getattr(entry_point, "dist", None)
    dist_name = dist.name if dist is not None else None
    label = f"{dist_name} {dist.version}" if dist is not None else "<unknown distribution>"
    entry = ScorerEntry(entry_point.name, "plugin", entry_point.value, label)
    key = (1, _normalize(dist_name) if dist_name else "~", entry_point.value)
    return _Source(entry, entry_point, key)


class ScorerRegistry:
    """Built-in, installed and in-process scorers, discovered lazily and cached.

    Most programs use the module-level functions (:func:`available`, :func:`get`,
    :func:`score`…), which act on :data:`default_registry`; build your own registry to
    isolate a set of scorers (in tests, say).

    Parameters
    ----------
    group : str, default "ecomstrat.scorers"
        The entry-point group to discover.
    builtins : mapping of str to str, default BUILTIN_SCORERS
        Built-in scorers as ``name -> "module:attr"``; they win over plugins of the same name.
    plugins : bool, optional
        Discover installed plugins. ``None`` (default) does unless the environment variable
        ``ECOMSTRAT_DISABLE_PLUGINS`` is ``1`` (or ``true``, ``yes``, ``on``), read at each
        discovery.

    Notes
    -----
    Discovery reads entry-point *names* once and caches them; a scorer is imported on first
    use and cached; :meth:`refresh` forgets both (a module already imported is not re-imported:
    restart Python to pick up changed plugin code). When several entry points share a name,
    the built-in one wins, then the one whose distribution name sorts first; a
    :class:`PluginWarning` lists them. Entry points of the installed ``ecomstrat``
    distribution itself are the built-in table, which is read from the source instead. The
    design follows xarray's ``backends/plugins.py`` and fsspec's ``registry.py``.

    Examples
    --------
    >>> registry = ScorerRegistry(plugins=False)
    >>> registry.available()
    ('churn_risk', 'clv', 'lead', 'p_alive', 'rfm')
    >>> registry.get("rfm").requires == {"summary", "summary:total_value"}
    True
    >>> registry.get("rmf")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ecomstrat.exceptions.UnknownCodeError: name='rmf' is not a known scorer: ... Did you mean 'rfm'?
    """

    def __init__(
        self,
        *,
        group: str = ENTRY_POINT_GROUP,
        builtins: Mapping[str, str] = BUILTIN_SCORERS,
        plugins: bool | None = None,
    ) -> None:
        self.group = group
        self._builtins = dict(builtins)
        self._plugins = plugins
        self._lock = threading.RLock()
        self._sources: dict[str, _Source] | None = None
        self._loaded: dict[str, Scorer] = {}
        self._failed: dict[str, PluginLoadError] = {}
        self._registered: dict[str, Scorer] = {}

    def __repr__(self) -> str:
        state = "not yet discovered" if self._sources is None else f"{len(self._sources)} found"
        return (
            f"ScorerRegistry(group={self.group!r}, plugins_enabled={self.plugins_enabled},"
            f" entry points {state}, {len(self._registered)} registered in-process)"
        )

    # ---------------------------------------------------------------------------- discovery

    @property
    def plugins_enabled(self) -> bool:
        """Whether installed plugins are discovered (see the ``plugins`` parameter)."""
        if self._plugins is not None:
            return self._plugins
        return os.environ.get(DISABLE_PLUGINS_ENV, "").strip().lower() not in _TRUE

    def refresh(self) -> None:
        """Forget the discovered names and the loaded scorers (not those registered in-process).

        Call it after installing or removing a plugin distribution in a running program.
        """
        with self._lock:
            importlib.invalidate_caches()  # see distributions installed since the last look
            self._sources = None
            self._loaded.clear()
            self._failed.clear()

    def _discover(self) -> dict[str, _Source]:
        with self._lock:
            if self._sources is not None:
                return self._sources
            self._sources, shadowed = self._resolve(self._candidates())
        for message in shadowed:  # cached first: a warning turned error cannot undo discovery
            _warn(message)
        return self._sources

    def _candidates(self) -> dict[str, list[_Source]]:
        candidates: dict[str, list[_Source]] = {}
        for name, value in self._builtins.items():
            entry = ScorerEntry(name, "builtin", value, _OWN_DISTRIBUTION)
            source = _Source(entry, metadata.EntryPoint(name, value, self.group), (0, "", value))
            candidates.setdefault(name, []).append(source)
        if not self.plugins_enabled:
            return candidates
        try:
            found: Iterable[metadata.EntryPoint] = metadata.entry_points(group=self.group)
        except Exception as error:  # broken metadata must not break the built-ins
            _warn(
                f"could not list the installed {self.group!r} entry points"
                f" ({type(error).__name__}: {error}); using the built-in scorers only."
            )
            return candidates
        for entry_point in found:
            dist = getattr(entry_point, "dist", None)
            if dist is not None and _normalize(dist.name) == _OWN_DISTRIBUTION:
                continue  # the built-in table, read from the source instead
            source = _plugin_source(entry_point)
            candidates.setdefault(entry_point.name, []).append(source)
        return candidates

    @staticmethod
    def _resolve(
        candidates: dict[str, list[_Source]],
    ) -> tuple[dict[str, _Source], list[str]]:
        """The winner of each name, and a warning for each name declared more than once."""
        chosen: dict[str, _Source] = {}
        shadowed: list[str] = []
        for name in sorted(candidates):
            ranked = sorted(candidates[name], key=lambda source: source.sort_key)
            chosen[name] = ranked[0]
            if len(ranked) > 1:
                listed = "; ".join(source.entry.describe() for source in ranked)
                shadowed.append(
                    f"scorer name {name!r} is declared by {len(ranked)} entry points: {listed}."
                    f" Using the {ranked[0].entry.describe()} (built-in scorers win, then"
                    " distributions in alphabetical order). Rename or uninstall the others to"
                    " silence this warning."
                )
        return chosen, shadowed

    def available(self) -> tuple[str, ...]:
        """The names of every scorer, sorted; imports no plugin.

        Returns
        -------
        tuple of str
        """
        with self._lock:
            return tuple(sorted(set(self._discover()) | set(self._registered)))

    def entries(self) -> tuple[ScorerEntry, ...]:
        """Where each scorer comes from (the winner of each name), sorted by name; no import."""
        with self._lock:
            found = {name: source.entry for name, source in self._discover().items()}
            found.update({name: ScorerEntry(name, "registered") for name in self._registered})
            return tuple(found[name] for name in sorted(found))

    def _unknown(self, name: object) -> UnknownCodeError:
        options = self.available()
        close = difflib.get_close_matches(str(name), options, n=3)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        disabled_by_env = self._plugins is None and not self.plugins_enabled
        note = f" Installed plugins are disabled ({DISABLE_PLUGINS_ENV} is set)." * disabled_by_env
        return UnknownCodeError(
            f"name={name!r} is not a known scorer: valid names are"
            f" {', '.join(map(repr, options))}.{hint}{note}"
        )

    # ------------------------------------------------------------------------------ loading

    def get(self, name: str) -> Scorer:
        """The scorer named ``name``, imported on first use and cached.

        Parameters
        ----------
        name : str
            One of :meth:`available`.

        Returns
        -------
        Scorer

        Raises
        ------
        UnknownCodeError
            If no scorer has that name (the message lists the names, with close matches).
        PluginLoadError
            If its entry point fails to import or does not give a valid scorer; the message
            names the entry point (``module:attr``) and its distribution.
        """
        with self._lock:
            if name in self._registered:
                return self._registered[name]
            sources = self._discover()
            if name not in sources:
                raise self._unknown(name)
            return self._load(sources[name])

    def _load(self, source: _Source) -> Scorer:
        name = source.entry.name
        if name in self._loaded:
            return self._loaded[name]
        if name in self._failed:
            failure = self._failed[name]
            raise PluginLoadError(
                str(failure),
                scorer=failure.scorer,
                entry_point=failure.entry_point,
                distribution=failure.distribution,
            ) from failure.__cause__
        step = "importing it"
        try:
            obj = source.entry_point.load()
            step = "checking it"
            problem = _scorer_problem(obj, name)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # a plugin's sys.exit() must not end the program
            failure = self._load_error(
                source, f"{step} raised {type(error).__name__}: {str(error).rstrip('.')}"
            )
            self._failed[name] = failure
            raise failure from error
        if problem is not None:
            failure = self._load_error(source, f"it is not a valid scorer: {problem}")
            self._failed[name] = failure
            raise failure
        scorer: Scorer = obj
        self._loaded[name] = scorer
        return scorer

    @staticmethod
    def _load_error(source: _Source, problem: str) -> PluginLoadError:
        entry = source.entry
        if entry.origin == "builtin":
            fix = "This is a bug in ecomstrat: please report it."
        else:
            fix = _FIX_PLUGIN.format(dist=entry.distribution)
        return PluginLoadError(
            f"scorer {entry.name!r} ({entry.describe()}) could not be loaded: {problem}. {fix}",
            scorer=entry.name,
            entry_point=entry.entry_point,
            distribution=entry.distribution,
        )

    # -------------------------------------------------------------------------- in-process

    def register(self, scorer: Scorer, *, replace: bool = False) -> Scorer:
        """Add a scorer defined in this program (it wins over an entry point of its name).

        Parameters
        ----------
        scorer : Scorer
            The scorer; its ``name`` is its key.
        replace : bool, default False
            Replace a scorer of the same name (built-in, plugin or registered) instead of
            raising.

        Returns
        -------
        Scorer
            ``scorer``, so that ``x = register(X())`` keeps a reference.

        Raises
        ------
        InvalidInputError
            If ``scorer`` is not a valid scorer, or its name is taken and ``replace`` is False.
        """
        problem = _scorer_problem(scorer, None)
        if problem is not None:
            raise invalid(
                "scorer", f"<{type(scorer).__name__}>", f"is not a valid scorer: {problem}"
            )
        name = scorer.name
        with self._lock:
            if not replace:
                taken: ScorerEntry | None = None
                sources = self._discover()
                if name in self._registered:
                    taken = ScorerEntry(name, "registered")
                elif name in sources:
                    taken = sources[name].entry
                if taken is not None:
                    raise invalid(
                        "scorer.name",
                        name,
                        f"is already the name of a scorer ({taken.describe()})",
                        "Pass replace=True to replace it, or choose another name.",
                    )
            self._registered[name] = scorer
        return scorer

    def unregister(self, name: str) -> Scorer:
        """Remove a scorer added with :meth:`register`, and return it.

        Raises
        ------
        UnknownCodeError
            If no scorer of that name was registered in-process (entry points cannot be
            removed: uninstall the distribution or set ``ECOMSTRAT_DISABLE_PLUGINS=1``).
        """
        with self._lock:
            if name not in self._registered:
                raise UnknownCodeError(
                    f"name={name!r} is not a scorer registered in-process: those are"
                    f" {', '.join(map(repr, sorted(self._registered))) or 'none'}. Entry-point"
                    f" scorers cannot be unregistered: uninstall their distribution or set"
                    f" {DISABLE_PLUGINS_ENV}=1."
                )
            return self._registered.pop(name)

    # ------------------------------------------------------------------------------ scoring

    def score(
        self,
        context: ScoringContext,
        *,
        names: str | Iterable[str],
        errors: Errors = "warn",
    ) -> Scores:
        """Score every customer of ``context`` with the named scorers.

        Parameters
        ----------
        context : ScoringContext
            The customers and inputs.
        names : str or iterable of str
            The scorers (duplicates are scored once).
        errors : {"warn", "raise"}, default "warn"
            What to do when a scorer fails to load, raises or returns bad scores: ``"warn"``
            issues a :class:`PluginWarning` naming it and its entry point and leaves it out;
            ``"raise"`` raises (:class:`PluginLoadError`, the scorer's own exception, or
            :class:`ScorerOutputError`).

        Returns
        -------
        Scores
            By scorer name, in the order of ``names``, without the scorers that failed: one
            float64 array of shape ``(context.n_customers,)`` each.

        Raises
        ------
        UnknownCodeError
            If a name is not one of :meth:`available` (a caller's mistake, always raised).
        InvalidInputError
            If the context lacks an input a scorer requires (always raised).
        """
        wanted = [names] if isinstance(names, str) else list(dict.fromkeys(names))
        self._check_call(context, errors)
        known = set(self.available())
        for name in wanted:
            if name not in known:
                raise self._unknown(name)
        loaded = {name: self._get_or_warn(name, errors) for name in wanted}
        scorers = {name: scorer for name, scorer in loaded.items() if scorer is not None}
        for name, scorer in scorers.items():  # check every input before scoring any
            missing = context.missing(scorer.requires)
            if missing:
                hints = "; ".join(_requirement_hint(token) for token in sorted(missing))
                raise invalid(
                    "context",
                    context,
                    f"lacks input(s) {', '.join(map(repr, sorted(missing)))} that scorer"
                    f" {name!r} requires",
                    f"Give {hints}.",
                )
        return self._run_all(scorers, context, errors)

    def score_all(self, context: ScoringContext, *, errors: Errors = "warn") -> Scores:
        """Score with every available scorer whose required inputs ``context`` has.

        Scorers needing an input the context lacks (a model, say) are left out silently;
        those that fail are handled as ``errors`` says (see :meth:`score`).

        Returns
        -------
        Scores
            By scorer name, sorted.
        """
        self._check_call(context, errors)
        loaded = {name: self._get_or_warn(name, errors) for name in self.available()}
        scorers = {
            name: scorer
            for name, scorer in loaded.items()
            if scorer is not None and not context.missing(scorer.requires)
        }
        return self._run_all(scorers, context, errors)

    @staticmethod
    def _check_call(context: ScoringContext, errors: str) -> None:
        check_choice("errors", errors, ("warn", "raise"))
        if not isinstance(context, ScoringContext):
            raise invalid(
                "context",
                f"<{type(context).__name__}>",
                "must be a ScoringContext",
                "Wrap the summary: ScoringContext(summary, ...).",
            )

    def _describe(self, name: str) -> str:
        if name in self._registered:
            scorer = self._registered[name]
            return f"registered in-process, {type(scorer).__module__}.{type(scorer).__qualname__}"
        return self._discover()[name].entry.describe()

    def _get_or_warn(self, name: str, errors: str) -> Scorer | None:
        try:
            return self.get(name)
        except PluginLoadError as error:
            if errors == "raise":
                raise
            message = f"{error} The scorer was skipped."
        _warn(message)
        return None

    def _run_all(
        self, scorers: Mapping[str, Scorer], context: ScoringContext, errors: str
    ) -> Scores:
        results: dict[str, FloatArray] = {}
        for name, scorer in scorers.items():
            values = self._run(name, scorer, context, errors)
            if values is not None:
                results[name] = values
        return Scores(context.customer_ids, values=results)

    def _run(
        self, name: str, scorer: Scorer, context: ScoringContext, errors: str
    ) -> FloatArray | None:
        try:
            raw: Any = scorer.score(context)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # a plugin's sys.exit() must not end the program
            if errors == "raise":
                raise
            message = (
                f"scorer {name!r} ({self._describe(name)}) raised {type(error).__name__}:"
                f" {str(error).rstrip('.')}. The scorer was skipped."
            )
        else:
            checked = _check_scores(raw, context)
            if not isinstance(checked, str):
                return checked
            message = f"scorer {name!r} ({self._describe(name)}) {checked}."
            if errors == "raise":
                raise ScorerOutputError(message)
            message += " The scorer was skipped."
        _warn(message)
        return None


# ----------------------------------------------------------------------- the default registry

#: The registry behind the module-level functions.
default_registry = ScorerRegistry()


def available() -> tuple[str, ...]:
    """Names of every scorer (built-in, installed, in-process), sorted; imports no plugin.

    Examples
    --------
    >>> {"rfm", "clv", "p_alive", "churn_risk", "lead"} <= set(available())
    True
    """
    return default_registry.available()


def get(name: str) -> Scorer:
    """The scorer named ``name`` (strict: see :meth:`ScorerRegistry.get`).

    Examples
    --------
    >>> get("p_alive").description  # doctest: +ELLIPSIS
    'Probability that the customer is still active ...'
    """
    return default_registry.get(name)


def register(scorer: Scorer, *, replace: bool = False) -> Scorer:
    """Add an in-process scorer to the default registry (see :meth:`ScorerRegistry.register`)."""
    return default_registry.register(scorer, replace=replace)


def unregister(name: str) -> Scorer:
    """Remove an in-process scorer from the default registry, and return it."""
    return default_registry.unregister(name)


def refresh() -> None:
    """Rediscover installed plugins (see :meth:`ScorerRegistry.refresh`)."""
    default_registry.refresh()


def score(
    context: ScoringContext, *, names: str | Iterable[str], errors: Errors = "warn"
) -> Scores:
    """Score ``context`` with the named scorers (see :meth:`ScorerRegistry.score`)."""
    return default_registry.score(context, names=names, errors=errors)


def score_all(context: ScoringContext, *, errors: Errors = "warn") -> Scores:
    """Score ``context`` with every applicable scorer (see :meth:`ScorerRegistry.score_all`)."""
    return default_registry.score_all(context, errors=errors)
