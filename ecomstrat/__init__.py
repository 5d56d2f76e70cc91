"""ecomstrat: typed, fast e-commerce strategy metrics.

Customer lifetime value (BTYD models), RFM summaries and segments, lifecycle staging,
acquisition payback, cohorts and localization costing over columnar data, with numba kernels
for the per-customer loops.

Every public name is importable from the package root; submodules load on first use, so
``import ecomstrat`` stays cheap (no numba, no pandas) and optional dependencies (pandas,
polars, pyarrow) are only imported by the functions that need them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ecomstrat._version import __version__

if TYPE_CHECKING:
    from ecomstrat._warmup import (
        warm_up as warm_up,
    )
    from ecomstrat.datasets import (
        Simulation as Simulation,
        SimulationParameters as SimulationParameters,
        simulate_transactions as simulate_transactions,
    )
    from ecomstrat.datasets.baskets import (
        simulate_baskets as simulate_baskets,
    )
    from ecomstrat.datasets.campaigns import (
        simulate_campaigns as simulate_campaigns,
    )
    from ecomstrat.datasets.covariates import (
        CovariateSimulation as CovariateSimulation,
        simulate_covariate_transactions as simulate_covariate_transactions,
        simulate_customer_covariates as simulate_customer_covariates,
    )
    from ecomstrat.datasets.events import (
        simulate_events as simulate_events,
    )
    from ecomstrat.datasets.reviews import (
        simulate_reviews as simulate_reviews,
    )
    from ecomstrat.datasets.support import (
        simulate_tickets as simulate_tickets,
    )
    from ecomstrat.diagnostics import (
        AliveCalibration as AliveCalibration,
        AliveHistory as AliveHistory,
        CheckThresholds as CheckThresholds,
        Criterion as Criterion,
        FrequencyRecencyGrid as FrequencyRecencyGrid,
        Heterogeneity as Heterogeneity,
        HoldoutByFrequency as HoldoutByFrequency,
        HoldoutErrors as HoldoutErrors,
        MixingDistribution as MixingDistribution,
        ModelCheck as ModelCheck,
        PeriodTransactions as PeriodTransactions,
        Tracking as Tracking,
        check_model as check_model,
        frequency_recency_grid as frequency_recency_grid,
        heterogeneity as heterogeneity,
        holdout_by_frequency as holdout_by_frequency,
        holdout_errors as holdout_errors,
        period_transactions as period_transactions,
        probability_alive_history as probability_alive_history,
        tracking as tracking,
    )
    from ecomstrat.domain import (
        Campaign as Campaign,
        Customer as Customer,
        Market as Market,
        Money as Money,
        Order as Order,
        TimeUnit as TimeUnit,
    )
    from ecomstrat.exceptions import (
        BoundaryEstimateWarning as BoundaryEstimateWarning,
        ConvergenceError as ConvergenceError,
        CurrencyMismatchError as CurrencyMismatchError,
        EcomstratError as EcomstratError,
        EcomstratWarning as EcomstratWarning,
        EmptyInputError as EmptyInputError,
        InvalidInputError as InvalidInputError,
        MissingDependencyError as MissingDependencyError,
        ModelFormatError as ModelFormatError,
        PluginLoadError as PluginLoadError,
        PluginWarning as PluginWarning,
        ScorerOutputError as ScorerOutputError,
        UnknownCodeError as UnknownCodeError,
    )
    from ecomstrat.frames.covariates import (
        CustomerCovariates as CustomerCovariates,
        TimeVaryingCovariates as TimeVaryingCovariates,
    )
    from ecomstrat.frames.discrete import (
        DiscretePatterns as DiscretePatterns,
        SurvivorCounts as SurvivorCounts,
    )
    from ecomstrat.frames.events import (
        EventLog as EventLog,
    )
    from ecomstrat.frames.order_lines import (
        OrderLines as OrderLines,
    )
    from ecomstrat.frames.reviews import (
        Reviews as Reviews,
    )
    from ecomstrat.frames.summary import (
        CalibrationHoldout as CalibrationHoldout,
        CustomerSummary as CustomerSummary,
    )
    from ecomstrat.frames.tickets import (
        Tickets as Tickets,
    )
    from ecomstrat.frames.transaction_log import (
        TransactionLog as TransactionLog,
    )
    from ecomstrat.io import (
        log_from_arrow as log_from_arrow,
        log_from_pandas as log_from_pandas,
        log_from_polars as log_from_polars,
        read_csv as read_csv,
        read_parquet as read_parquet,
        stream_calibration_holdout_summary as stream_calibration_holdout_summary,
        stream_rfm_summary as stream_rfm_summary,
        summary_from_arrow as summary_from_arrow,
        summary_from_pandas as summary_from_pandas,
        summary_from_polars as summary_from_polars,
    )
    from ecomstrat.io.covariates import (
        read_customer_covariates as read_customer_covariates,
        read_time_varying_covariates as read_time_varying_covariates,
    )
    from ecomstrat.io.events import (
        events_from_pandas as events_from_pandas,
        events_from_polars as events_from_polars,
        read_events_csv as read_events_csv,
    )
    from ecomstrat.io.order_lines import (
        order_lines_from_pandas as order_lines_from_pandas,
        order_lines_from_polars as order_lines_from_polars,
        read_order_lines_csv as read_order_lines_csv,
    )
    from ecomstrat.io.reviews import (
        read_reviews_csv as read_reviews_csv,
        reviews_from_pandas as reviews_from_pandas,
        reviews_from_polars as reviews_from_polars,
    )
    from ecomstrat.io.tickets import (
        read_tickets_csv as read_tickets_csv,
        tickets_from_pandas as tickets_from_pandas,
        tickets_from_polars as tickets_from_polars,
    )
    from ecomstrat.lifecycle import (
        BusinessPhase as BusinessPhase,
        BusinessPhases as BusinessPhases,
        DiffusionFit as DiffusionFit,
        Duration as Duration,
        LifecycleStages as LifecycleStages,
        ModelBasedPolicy as ModelBasedPolicy,
        MonthlyActivity as MonthlyActivity,
        PhaseRules as PhaseRules,
        Play as Play,
        Playbook as Playbook,
        Recommendations as Recommendations,
        RelationshipPhase as RelationshipPhase,
        RuleBasedPolicy as RuleBasedPolicy,
        SeriesTooShortError as SeriesTooShortError,
        Stage as Stage,
        StageCountsOverTime as StageCountsOverTime,
        StageMatrix as StageMatrix,
        StageMigration as StageMigration,
        business_phase as business_phase,
        diffusion_fit as diffusion_fit,
        monthly_activity as monthly_activity,
        recommend_actions as recommend_actions,
        stage_counts_over_time as stage_counts_over_time,
        stage_customers as stage_customers,
        stage_migration as stage_migration,
    )
    from ecomstrat.localization.landed_cost import (
        CostLine as CostLine,
        LandedCost as LandedCost,
        LandedCostBatch as LandedCostBatch,
        LimitWarning as LimitWarning,
        OrderLine as OrderLine,
        ShelfPrice as ShelfPrice,
        SplitLandedCost as SplitLandedCost,
        TariffTable as TariffTable,
        check_limits as check_limits,
        landed_cost as landed_cost,
        landed_cost_batch as landed_cost_batch,
        landed_cost_split as landed_cost_split,
        load_tariff as load_tariff,
        price_for_shelf_price as price_for_shelf_price,
    )
    from ecomstrat.localization.market_entry import (
        MarketComparison as MarketComparison,
        MarketEntry as MarketEntry,
        compare_markets as compare_markets,
        market_entry as market_entry,
    )
    from ecomstrat.localization.profiles import (
        MarketDataWarning as MarketDataWarning,
        MarketProfile as MarketProfile,
        MarketTable as MarketTable,
        load_market_profiles as load_market_profiles,
        market_profile as market_profile,
    )
    from ecomstrat.metrics.aarrr import (
        AARRRReport as AARRRReport,
        KPIDefinition as KPIDefinition,
        aarrr_kpis as aarrr_kpis,
    )
    from ecomstrat.metrics.acquisition import (
        AcquisitionTable as AcquisitionTable,
        acquisition_table as acquisition_table,
        break_even_roas as break_even_roas,
        cac_payback_months as cac_payback_months,
    )
    from ecomstrat.metrics.affinity import (
        NextBestProducts as NextBestProducts,
        ProductAffinity as ProductAffinity,
        next_best_products as next_best_products,
        product_affinity as product_affinity,
    )
    from ecomstrat.metrics.carts import (
        CartAbandonment as CartAbandonment,
        cart_abandonment as cart_abandonment,
    )
    from ecomstrat.metrics.clv import (
        LifetimeValues as LifetimeValues,
        customer_lifetime_value as customer_lifetime_value,
        customer_lifetime_value_interval as customer_lifetime_value_interval,
        customer_lifetime_value_one as customer_lifetime_value_one,
    )
    from ecomstrat.metrics.cohorts import (
        CohortCells as CohortCells,
        CohortMatrix as CohortMatrix,
        cohort_margin as cohort_margin,
        cohort_retention as cohort_retention,
        cohort_revenue as cohort_revenue,
    )
    from ecomstrat.metrics.engagement import (
        NetPromoterScore as NetPromoterScore,
        Proportion as Proportion,
        RetentionRates as RetentionRates,
        SelfServiceShift as SelfServiceShift,
        ServiceCost as ServiceCost,
        average_order_value as average_order_value,
        csat as csat,
        nps as nps,
        period_retention as period_retention,
        purchase_frequency as purchase_frequency,
        repeat_purchase_rate as repeat_purchase_rate,
        self_service_saving as self_service_saving,
        service_cost as service_cost,
        wilson_interval as wilson_interval,
    )
    from ecomstrat.metrics.formula_clv import (
        ChurnEstimate as ChurnEstimate,
        SegmentLifetimeValues as SegmentLifetimeValues,
        SimpleLifetimeValues as SimpleLifetimeValues,
        annual_churn as annual_churn,
        retention_clv as retention_clv,
        simple_clv as simple_clv,
    )
    from ecomstrat.metrics.funnel import (
        Funnel as Funnel,
        funnel as funnel,
    )
    from ecomstrat.metrics.incentives import (
        DiscountBreakEven as DiscountBreakEven,
        DiscountSensitivity as DiscountSensitivity,
        LoyaltyProgrammeROI as LoyaltyProgrammeROI,
        LoyaltySensitivity as LoyaltySensitivity,
        LoyaltyUplift as LoyaltyUplift,
        discount_break_even as discount_break_even,
        loyalty_programme_roi as loyalty_programme_roi,
        measure_loyalty_uplift as measure_loyalty_uplift,
    )
    from ecomstrat.metrics.products import (
        AbcClasses as AbcClasses,
        FirstProductCohorts as FirstProductCohorts,
        ProductClasses as ProductClasses,
        ProductPerformance as ProductPerformance,
        abc_classes as abc_classes,
        first_product_cohorts as first_product_cohorts,
        product_classes as product_classes,
        product_performance as product_performance,
    )
    from ecomstrat.metrics.regularity import (
        LogInterTransactionTimes as LogInterTransactionTimes,
        estimate_regularity as estimate_regularity,
        log_inter_transaction_times as log_inter_transaction_times,
    )
    from ecomstrat.metrics.reviews import (
        NegativeAnswered as NegativeAnswered,
        RatingsByGroup as RatingsByGroup,
        RatingSummary as RatingSummary,
        negative_answered as negative_answered,
        rating_summary as rating_summary,
        ratings_by_group as ratings_by_group,
    )
    from ecomstrat.metrics.rfm_segments import (
        RFMScores as RFMScores,
        RFMSegments as RFMSegments,
        SegmentRule as SegmentRule,
        rfm_scores as rfm_scores,
        rfm_segments as rfm_segments,
    )
    from ecomstrat.metrics.service import (
        Backlog as Backlog,
        ServiceLevels as ServiceLevels,
        TopCategories as TopCategories,
        service_cost_by_channel as service_cost_by_channel,
        service_levels as service_levels,
        ticket_backlog as ticket_backlog,
        top_categories as top_categories,
    )
    from ecomstrat.metrics.summary import (
        calibration_holdout_summary as calibration_holdout_summary,
        rfm_summary as rfm_summary,
    )
    from ecomstrat.metrics.surveys import (
        SurveyByGroup as SurveyByGroup,
        survey_by_group as survey_by_group,
    )
    from ecomstrat.metrics.value_tiers import (
        ValueConcentration as ValueConcentration,
        ValueTiers as ValueTiers,
        value_concentration as value_concentration,
        value_tiers as value_tiers,
        value_tiers_by_threshold as value_tiers_by_threshold,
    )
    from ecomstrat.models._base import (
        FitStatistics as FitStatistics,
    )
    from ecomstrat.models._covariates import (
        CovariateSpec as CovariateSpec,
    )
    from ecomstrat.models._fit import (
        FitDiagnostics as FitDiagnostics,
    )
    from ecomstrat.models._persist import (
        load_model as load_model,
        model_from_dict as model_from_dict,
        save_model as save_model,
    )
    from ecomstrat.models._predictions import (
        CustomerPredictions as CustomerPredictions,
    )
    from ecomstrat.models._protocols import (
        TransactionModel as TransactionModel,
    )
    from ecomstrat.models._uncertainty import (
        PredictionInterval as PredictionInterval,
    )
    from ecomstrat.models.bgbb import (
        BGBB as BGBB,
        BGBBParams as BGBBParams,
        FittedBGBB as FittedBGBB,
    )
    from ecomstrat.models.bgnbd import (
        BGNBD as BGNBD,
        MBGNBD as MBGNBD,
        BGNBDParams as BGNBDParams,
        FittedBGNBD as FittedBGNBD,
        FittedMBGNBD as FittedMBGNBD,
        MBGNBDParams as MBGNBDParams,
    )
    from ecomstrat.models.cnbd import (
        BGCNBD as BGCNBD,
        MBGCNBD as MBGCNBD,
        CNBDParams as CNBDParams,
        FittedBGCNBD as FittedBGCNBD,
        FittedMBGCNBD as FittedMBGCNBD,
    )
    from ecomstrat.models.covariate_bgnbd import (
        CovariateBGNBD as CovariateBGNBD,
        FittedCovariateBGNBD as FittedCovariateBGNBD,
    )
    from ecomstrat.models.covariate_paretonbd import (
        CovariateParetoNBD as CovariateParetoNBD,
        FittedCovariateParetoNBD as FittedCovariateParetoNBD,
    )
    from ecomstrat.models.dynamic_paretonbd import (
        DynamicParetoNBD as DynamicParetoNBD,
        FittedDynamicParetoNBD as FittedDynamicParetoNBD,
    )
    from ecomstrat.models.gamma_gamma import (
        FittedGammaGamma as FittedGammaGamma,
        FrequencyMonetaryCorrelationWarning as FrequencyMonetaryCorrelationWarning,
        GammaGamma as GammaGamma,
        GammaGammaParams as GammaGammaParams,
        NonPositiveSpendWarning as NonPositiveSpendWarning,
    )
    from ecomstrat.models.ggomnbd import (
        CovariateGGomNBD as CovariateGGomNBD,
        FittedCovariateGGomNBD as FittedCovariateGGomNBD,
        FittedGGomNBD as FittedGGomNBD,
        GGomNBD as GGomNBD,
        GGomNBDParams as GGomNBDParams,
    )
    from ecomstrat.models.paretonbd import (
        FittedParetoNBD as FittedParetoNBD,
        ParetoNBD as ParetoNBD,
        ParetoNBDParams as ParetoNBDParams,
    )
    from ecomstrat.models.sbg import (
        SBG as SBG,
        FittedSBG as FittedSBG,
        SBGParams as SBGParams,
    )
    from ecomstrat.report.pipeline import (
        ReportOptions as ReportOptions,
        StrategyReport as StrategyReport,
        build_report as build_report,
    )
    from ecomstrat.scoring import (
        Scorer as Scorer,
        ScorerRegistry as ScorerRegistry,
        Scores as Scores,
        ScoringContext as ScoringContext,
    )

#: public name -> module that defines it (imported on first access)
_LOCATIONS: dict[str, str] = {
    "AARRRReport": "ecomstrat.metrics.aarrr",
    "AbcClasses": "ecomstrat.metrics.products",
    "AcquisitionTable": "ecomstrat.metrics.acquisition",
    "AliveCalibration": "ecomstrat.diagnostics",
    "AliveHistory": "ecomstrat.diagnostics",
    "BGBB": "ecomstrat.models.bgbb",
    "BGBBParams": "ecomstrat.models.bgbb",
    "BGCNBD": "ecomstrat.models.cnbd",
    "BGNBD": "ecomstrat.models.bgnbd",
    "BGNBDParams": "ecomstrat.models.bgnbd",
    "Backlog": "ecomstrat.metrics.service",
    "BoundaryEstimateWarning": "ecomstrat.exceptions",
    "BusinessPhase": "ecomstrat.lifecycle",
    "BusinessPhases": "ecomstrat.lifecycle",
    "CNBDParams": "ecomstrat.models.cnbd",
    "CalibrationHoldout": "ecomstrat.frames.summary",
    "Campaign": "ecomstrat.domain",
    "CartAbandonment": "ecomstrat.metrics.carts",
    "CheckThresholds": "ecomstrat.diagnostics",
    "ChurnEstimate": "ecomstrat.metrics.formula_clv",
    "CohortCells": "ecomstrat.metrics.cohorts",
    "CohortMatrix": "ecomstrat.metrics.cohorts",
    "ConvergenceError": "ecomstrat.exceptions",
    "CostLine": "ecomstrat.localization.landed_cost",
    "CovariateBGNBD": "ecomstrat.models.covariate_bgnbd",
    "CovariateGGomNBD": "ecomstrat.models.ggomnbd",
    "CovariateParetoNBD": "ecomstrat.models.covariate_paretonbd",
    "CovariateSimulation": "ecomstrat.datasets.covariates",
    "CovariateSpec": "ecomstrat.models._covariates",
    "Criterion": "ecomstrat.diagnostics",
    "CurrencyMismatchError": "ecomstrat.exceptions",
    "Customer": "ecomstrat.domain",
    "CustomerCovariates": "ecomstrat.frames.covariates",
    "CustomerPredictions": "ecomstrat.models._predictions",
    "CustomerSummary": "ecomstrat.frames.summary",
    "DiffusionFit": "ecomstrat.lifecycle",
    "DiscountBreakEven": "ecomstrat.metrics.incentives",
    "DiscountSensitivity": "ecomstrat.metrics.incentives",
    "DiscretePatterns": "ecomstrat.frames.discrete",
    "Duration": "ecomstrat.lifecycle",
    "DynamicParetoNBD": "ecomstrat.models.dynamic_paretonbd",
    "EcomstratError": "ecomstrat.exceptions",
    "EcomstratWarning": "ecomstrat.exceptions",
    "EmptyInputError": "ecomstrat.exceptions",
    "EventLog": "ecomstrat.frames.events",
    "FirstProductCohorts": "ecomstrat.metrics.products",
    "FitDiagnostics": "ecomstrat.models._fit",
    "FitStatistics": "ecomstrat.models._base",
    "FittedBGBB": "ecomstrat.models.bgbb",
    "FittedBGCNBD": "ecomstrat.models.cnbd",
    "FittedBGNBD": "ecomstrat.models.bgnbd",
    "FittedCovariateBGNBD": "ecomstrat.models.covariate_bgnbd",
    "FittedCovariateGGomNBD": "ecomstrat.models.ggomnbd",
    "FittedCovariateParetoNBD": "ecomstrat.models.covariate_paretonbd",
    "FittedDynamicParetoNBD": "ecomstrat.models.dynamic_paretonbd",
    "FittedGGomNBD": "ecomstrat.models.ggomnbd",
    "FittedGammaGamma": "ecomstrat.models.gamma_gamma",
    "FittedMBGCNBD": "ecomstrat.models.cnbd",
    "FittedMBGNBD": "ecomstrat.models.bgnbd",
    "FittedParetoNBD": "ecomstrat.models.paretonbd",
    "FittedSBG": "ecomstrat.models.sbg",
    "FrequencyMonetaryCorrelationWarning": "ecomstrat.models.gamma_gamma",
    "FrequencyRecencyGrid": "ecomstrat.diagnostics",
    "Funnel": "ecomstrat.metrics.funnel",
    "GGomNBD": "ecomstrat.models.ggomnbd",
    "GGomNBDParams": "ecomstrat.models.ggomnbd",
    "GammaGamma": "ecomstrat.models.gamma_gamma",
    "GammaGammaParams": "ecomstrat.models.gamma_gamma",
    "Heterogeneity": "ecomstrat.diagnostics",
    "HoldoutByFrequency": "ecomstrat.diagnostics",
    "HoldoutErrors": "ecomstrat.diagnostics",
    "InvalidInputError": "ecomstrat.exceptions",
    "KPIDefinition": "ecomstrat.metrics.aarrr",
    "LandedCost": "ecomstrat.localization.landed_cost",
    "LandedCostBatch": "ecomstrat.localization.landed_cost",
    "LifecycleStages": "ecomstrat.lifecycle",
    "LifetimeValues": "ecomstrat.metrics.clv",
    "LimitWarning": "ecomstrat.localization.landed_cost",
    "LogInterTransactionTimes": "ecomstrat.metrics.regularity",
    "LoyaltyProgrammeROI": "ecomstrat.metrics.incentives",
    "LoyaltySensitivity": "ecomstrat.metrics.incentives",
    "LoyaltyUplift": "ecomstrat.metrics.incentives",
    "MBGCNBD": "ecomstrat.models.cnbd",
    "MBGNBD": "ecomstrat.models.bgnbd",
    "MBGNBDParams": "ecomstrat.models.bgnbd",
    "Market": "ecomstrat.domain",
    "MarketComparison": "ecomstrat.localization.market_entry",
    "MarketDataWarning": "ecomstrat.localization.profiles",
    "MarketEntry": "ecomstrat.localization.market_entry",
    "MarketProfile": "ecomstrat.localization.profiles",
    "MarketTable": "ecomstrat.localization.profiles",
    "MissingDependencyError": "ecomstrat.exceptions",
    "MixingDistribution": "ecomstrat.diagnostics",
    "ModelBasedPolicy": "ecomstrat.lifecycle",
    "ModelCheck": "ecomstrat.diagnostics",
    "ModelFormatError": "ecomstrat.exceptions",
    "Money": "ecomstrat.domain",
    "MonthlyActivity": "ecomstrat.lifecycle",
    "NegativeAnswered": "ecomstrat.metrics.reviews",
    "NetPromoterScore": "ecomstrat.metrics.engagement",
    "NextBestProducts": "ecomstrat.metrics.affinity",
    "NonPositiveSpendWarning": "ecomstrat.models.gamma_gamma",
    "Order": "ecomstrat.domain",
    "OrderLine": "ecomstrat.localization.landed_cost",
    "OrderLines": "ecomstrat.frames.order_lines",
    "ParetoNBD": "ecomstrat.models.paretonbd",
    "ParetoNBDParams": "ecomstrat.models.paretonbd",
    "PeriodTransactions": "ecomstrat.diagnostics",
    "PhaseRules": "ecomstrat.lifecycle",
    "Play": "ecomstrat.lifecycle",
    "Playbook": "ecomstrat.lifecycle",
    "PluginLoadError": "ecomstrat.exceptions",
    "PluginWarning": "ecomstrat.exceptions",
    "PredictionInterval": "ecomstrat.models._uncertainty",
    "ProductAffinity": "ecomstrat.metrics.affinity",
    "ProductClasses": "ecomstrat.metrics.products",
    "ProductPerformance": "ecomstrat.metrics.products",
    "Proportion": "ecomstrat.metrics.engagement",
    "RFMScores": "ecomstrat.metrics.rfm_segments",
    "RFMSegments": "ecomstrat.metrics.rfm_segments",
    "RatingSummary": "ecomstrat.metrics.reviews",
    "RatingsByGroup": "ecomstrat.metrics.reviews",
    "Recommendations": "ecomstrat.lifecycle",
    "RelationshipPhase": "ecomstrat.lifecycle",
    "ReportOptions": "ecomstrat.report.pipeline",
    "RetentionRates": "ecomstrat.metrics.engagement",
    "Reviews": "ecomstrat.frames.reviews",
    "RuleBasedPolicy": "ecomstrat.lifecycle",
    "SBG": "ecomstrat.models.sbg",
    "SBGParams": "ecomstrat.models.sbg",
    "Scorer": "ecomstrat.scoring",
    "ScorerOutputError": "ecomstrat.exceptions",
    "ScorerRegistry": "ecomstrat.scoring",
    "Scores": "ecomstrat.scoring",
    "ScoringContext": "ecomstrat.scoring",
    "SegmentLifetimeValues": "ecomstrat.metrics.formula_clv",
    "SegmentRule": "ecomstrat.metrics.rfm_segments",
    "SelfServiceShift": "ecomstrat.metrics.engagement",
    "SeriesTooShortError": "ecomstrat.lifecycle",
    "ServiceCost": "ecomstrat.metrics.engagement",
    "ServiceLevels": "ecomstrat.metrics.service",
    "ShelfPrice": "ecomstrat.localization.landed_cost",
    "SimpleLifetimeValues": "ecomstrat.metrics.formula_clv",
    "Simulation": "ecomstrat.datasets",
    "SimulationParameters": "ecomstrat.datasets",
    "SplitLandedCost": "ecomstrat.localization.landed_cost",
    "Stage": "ecomstrat.lifecycle",
    "StageCountsOverTime": "ecomstrat.lifecycle",
    "StageMatrix": "ecomstrat.lifecycle",
    "StageMigration": "ecomstrat.lifecycle",
    "StrategyReport": "ecomstrat.report.pipeline",
    "SurveyByGroup": "ecomstrat.metrics.surveys",
    "SurvivorCounts": "ecomstrat.frames.discrete",
    "TariffTable": "ecomstrat.localization.landed_cost",
    "Tickets": "ecomstrat.frames.tickets",
    "TimeUnit": "ecomstrat.domain",
    "TimeVaryingCovariates": "ecomstrat.frames.covariates",
    "TopCategories": "ecomstrat.metrics.service",
    "Tracking": "ecomstrat.diagnostics",
    "TransactionLog": "ecomstrat.frames.transaction_log",
    "TransactionModel": "ecomstrat.models._protocols",
    "UnknownCodeError": "ecomstrat.exceptions",
    "ValueConcentration": "ecomstrat.metrics.value_tiers",
    "ValueTiers": "ecomstrat.metrics.value_tiers",
    "aarrr_kpis": "ecomstrat.metrics.aarrr",
    "abc_classes": "ecomstrat.metrics.products",
    "acquisition_table": "ecomstrat.metrics.acquisition",
    "annual_churn": "ecomstrat.metrics.formula_clv",
    "average_order_value": "ecomstrat.metrics.engagement",
    "break_even_roas": "ecomstrat.metrics.acquisition",
    "build_report": "ecomstrat.report.pipeline",
    "business_phase": "ecomstrat.lifecycle",
    "cac_payback_months": "ecomstrat.metrics.acquisition",
    "calibration_holdout_summary": "ecomstrat.metrics.summary",
    "cart_abandonment": "ecomstrat.metrics.carts",
    "check_limits": "ecomstrat.localization.landed_cost",
    "check_model": "ecomstrat.diagnostics",
    "cohort_margin": "ecomstrat.metrics.cohorts",
    "cohort_retention": "ecomstrat.metrics.cohorts",
    "cohort_revenue": "ecomstrat.metrics.cohorts",
    "compare_markets": "ecomstrat.localization.market_entry",
    "csat": "ecomstrat.metrics.engagement",
    "customer_lifetime_value": "ecomstrat.metrics.clv",
    "customer_lifetime_value_interval": "ecomstrat.metrics.clv",
    "customer_lifetime_value_one": "ecomstrat.metrics.clv",
    "diffusion_fit": "ecomstrat.lifecycle",
    "discount_break_even": "ecomstrat.metrics.incentives",
    "estimate_regularity": "ecomstrat.metrics.regularity",
    "events_from_pandas": "ecomstrat.io.events",
    "events_from_polars": "ecomstrat.io.events",
    "first_product_cohorts": "ecomstrat.metrics.products",
    "frequency_recency_grid": "ecomstrat.diagnostics",
    "funnel": "ecomstrat.metrics.funnel",
    "heterogeneity": "ecomstrat.diagnostics",
    "holdout_by_frequency": "ecomstrat.diagnostics",
    "holdout_errors": "ecomstrat.diagnostics",
    "landed_cost": "ecomstrat.localization.landed_cost",
    "landed_cost_batch": "ecomstrat.localization.landed_cost",
    "landed_cost_split": "ecomstrat.localization.landed_cost",
    "load_market_profiles": "ecomstrat.localization.profiles",
    "load_model": "ecomstrat.models._persist",
    "load_tariff": "ecomstrat.localization.landed_cost",
    "log_from_arrow": "ecomstrat.io",
    "log_from_pandas": "ecomstrat.io",
    "log_from_polars": "ecomstrat.io",
    "log_inter_transaction_times": "ecomstrat.metrics.regularity",
    "loyalty_programme_roi": "ecomstrat.metrics.incentives",
    "market_entry": "ecomstrat.localization.market_entry",
    "market_profile": "ecomstrat.localization.profiles",
    "measure_loyalty_uplift": "ecomstrat.metrics.incentives",
    "model_from_dict": "ecomstrat.models._persist",
    "monthly_activity": "ecomstrat.lifecycle",
    "negative_answered": "ecomstrat.metrics.reviews",
    "next_best_products": "ecomstrat.metrics.affinity",
    "nps": "ecomstrat.metrics.engagement",
    "order_lines_from_pandas": "ecomstrat.io.order_lines",
    "order_lines_from_polars": "ecomstrat.io.order_lines",
    "period_retention": "ecomstrat.metrics.engagement",
    "period_transactions": "ecomstrat.diagnostics",
    "price_for_shelf_price": "ecomstrat.localization.landed_cost",
    "probability_alive_history": "ecomstrat.diagnostics",
    "product_affinity": "ecomstrat.metrics.affinity",
    "product_classes": "ecomstrat.metrics.products",
    "product_performance": "ecomstrat.metrics.products",
    "purchase_frequency": "ecomstrat.metrics.engagement",
    "rating_summary": "ecomstrat.metrics.reviews",
    "ratings_by_group": "ecomstrat.metrics.reviews",
    "read_csv": "ecomstrat.io",
    "read_customer_covariates": "ecomstrat.io.covariates",
    "read_events_csv": "ecomstrat.io.events",
    "read_order_lines_csv": "ecomstrat.io.order_lines",
    "read_parquet": "ecomstrat.io",
    "read_reviews_csv": "ecomstrat.io.reviews",
    "read_tickets_csv": "ecomstrat.io.tickets",
    "read_time_varying_covariates": "ecomstrat.io.covariates",
    "recommend_actions": "ecomstrat.lifecycle",
    "repeat_purchase_rate": "ecomstrat.metrics.engagement",
    "retention_clv": "ecomstrat.metrics.formula_clv",
    "reviews_from_pandas": "ecomstrat.io.reviews",
    "reviews_from_polars": "ecomstrat.io.reviews",
    "rfm_scores": "ecomstrat.metrics.rfm_segments",
    "rfm_segments": "ecomstrat.metrics.rfm_segments",
    "rfm_summary": "ecomstrat.metrics.summary",
    "save_model": "ecomstrat.models._persist",
    "self_service_saving": "ecomstrat.metrics.engagement",
    "service_cost": "ecomstrat.metrics.engagement",
    "service_cost_by_channel": "ecomstrat.metrics.service",
    "service_levels": "ecomstrat.metrics.service",
    "simple_clv": "ecomstrat.metrics.formula_clv",
    "simulate_baskets": "ecomstrat.datasets.baskets",
    "simulate_campaigns": "ecomstrat.datasets.campaigns",
    "simulate_covariate_transactions": "ecomstrat.datasets.covariates",
    "simulate_customer_covariates": "ecomstrat.datasets.covariates",
    "simulate_events": "ecomstrat.datasets.events",
    "simulate_reviews": "ecomstrat.datasets.reviews",
    "simulate_tickets": "ecomstrat.datasets.support",
    "simulate_transactions": "ecomstrat.datasets",
    "stage_counts_over_time": "ecomstrat.lifecycle",
    "stage_customers": "ecomstrat.lifecycle",
    "stage_migration": "ecomstrat.lifecycle",
    "stream_calibration_holdout_summary": "ecomstrat.io",
    "stream_rfm_summary": "ecomstrat.io",
    "summary_from_arrow": "ecomstrat.io",
    "summary_from_pandas": "ecomstrat.io",
    "summary_from_polars": "ecomstrat.io",
    "survey_by_group": "ecomstrat.metrics.surveys",
    "ticket_backlog": "ecomstrat.metrics.service",
    "tickets_from_pandas": "ecomstrat.io.tickets",
    "tickets_from_polars": "ecomstrat.io.tickets",
    "top_categories": "ecomstrat.metrics.service",
    "tracking": "ecomstrat.diagnostics",
    "value_concentration": "ecomstrat.metrics.value_tiers",
    "value_tiers": "ecomstrat.metrics.value_tiers",
    "value_tiers_by_threshold": "ecomstrat.metrics.value_tiers",
    "warm_up": "ecomstrat._warmup",
    "wilson_interval": "ecomstrat.metrics.engagement",
}

__all__ = ["__version__", *sorted(_LOCATIONS)]


def __getattr__(name: str) -> Any:
    """Import public names on first access (PEP 562)."""
    module = _LOCATIONS.get(name)
    if module is None:
        raise AttributeError(f"module 'ecomstrat' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
