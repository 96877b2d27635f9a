-- Removal effects lie in [0, 1]; P(conversion) and P(conversion without a channel) are
-- probabilities and removing a channel never raises P(conversion).
select *
from {{ ref('int_markov_removal_effects_solved') }}
where
    removal_effect < 0
    or removal_effect > 1
    or conversion_probability < 0
    or conversion_probability > 1 + 1e-12
    or conversion_probability_without_channel < 0
    or conversion_probability_without_channel > conversion_probability + 1e-12
