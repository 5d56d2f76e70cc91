"""Customer lifecycle: stages, the policies that assign them, migration and the action playbook.

- :mod:`~ecomstrat.lifecycle.policy`: the :class:`Stage` and :class:`RelationshipPhase`
  vocabularies, :class:`Duration`, and the rule- and model-based policies;
- :mod:`~ecomstrat.lifecycle.stages`: staging at one date, migration between two, counts
  over a series of dates;
- :mod:`~ecomstrat.lifecycle.playbook`: recommended actions by stage and value tier;
- :mod:`~ecomstrat.lifecycle.business`: the business's own phase (start-up, growth, maturity,
  decline) and a diffusion fit of its remaining potential (:doc:`/business-phase`).

Import the names from here (or from :mod:`ecomstrat`). See :doc:`/lifecycle`.
"""

from ecomstrat.lifecycle.business import (
    BUSINESS_PHASE_NAMES,
    BusinessPhase,
    BusinessPhases,
    DiffusionFit,
    MonthlyActivity,
    PhaseRules,
    SeriesTooShortError,
    business_phase,
    diffusion_fit,
    monthly_activity,
)
from ecomstrat.lifecycle.playbook import (
    DEFAULT_PLAYBOOK,
    Play,
    Playbook,
    Recommendations,
    recommend_actions,
)
from ecomstrat.lifecycle.policy import (
    PHASE_NAMES,
    STAGE_NAMES,
    Duration,
    LifecyclePolicy,
    ModelBasedPolicy,
    RelationshipPhase,
    RuleBasedPolicy,
    Stage,
)
from ecomstrat.lifecycle.stages import (
    LifecycleStages,
    StageCountsOverTime,
    StageMatrix,
    StageMigration,
    stage_counts_over_time,
    stage_customers,
    stage_migration,
)

#: Plain ``sorted()`` order, as tests/test_public_api.py checks (not ruff's isort-style order).
__all__ = [
    "BUSINESS_PHASE_NAMES",
    "DEFAULT_PLAYBOOK",
    "PHASE_NAMES",
    "STAGE_NAMES",
    "BusinessPhase",
    "BusinessPhases",
    "DiffusionFit",
    "Duration",
    "LifecyclePolicy",
    "LifecycleStages",
    "ModelBasedPolicy",
    "MonthlyActivity",
    "PhaseRules",
    "Play",
    "Playbook",
    "Recommendations",
    "RelationshipPhase",
    "RuleBasedPolicy",
    "SeriesTooShortError",
    "Stage",
    "StageCountsOverTime",
    "StageMatrix",
    "StageMigration",
    "business_phase",
    "diffusion_fit",
    "monthly_activity",
    "recommend_actions",
    "stage_counts_over_time",
    "stage_customers",
    "stage_migration",
]
