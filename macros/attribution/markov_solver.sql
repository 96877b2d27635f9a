{#-
    The Markov removal-effect solve, per adapter. The chain is tiny (at most the ten canonical
    channels plus START, CONVERSION and NULL), so it is solved exactly (Gaussian elimination /
    LU), never simulated. Input: a relation of transition counts (from_state, to_state,
    transition_count); output columns: channel, conversion_probability,
    conversion_probability_without_channel, removal_effect.

    - DuckDB: the dbt Python model int_markov_removal_effects_numpy (numpy.linalg.solve).
    - PostgreSQL (no Python models in dbt-postgres): the plpgsql functions below, created by the
      calling model's pre-hook, do the same math with partial-pivoting Gaussian elimination.
    - Any other adapter: a compile error that says so (see DECISIONS.md).
-#}

{% macro markov_removal_effects(transitions_relation) -%}
    {{ return(adapter.dispatch('markov_removal_effects', 'marketing_kpis')(transitions_relation)) }}
{%- endmacro %}

{% macro default__markov_removal_effects(transitions_relation) -%}
    {{ exceptions.raise_compiler_error(
        "markov attribution is implemented for DuckDB (a dbt Python model) and PostgreSQL (plpgsql); "
        ~ "adapter '" ~ target.type ~ "' has neither. See DECISIONS.md (attribution)."
    ) }}
{%- endmacro %}

{% macro duckdb__markov_removal_effects(transitions_relation) -%}
    select
        channel,
        conversion_probability,
        conversion_probability_without_channel,
        removal_effect
    from {{ ref('int_markov_removal_effects_numpy') }}
{%- endmacro %}

{% macro postgres__markov_removal_effects(transitions_relation) -%}
    select
        solved.channel,
        solved.conversion_probability,
        solved.conversion_probability_without_channel,
        solved.removal_effect
    from {{ target.schema }}.mkpi_markov_removal_effects(
        (select array_agg(from_state order by from_state, to_state) from {{ transitions_relation }}),
        (select array_agg(to_state order by from_state, to_state) from {{ transitions_relation }}),
        (
            select array_agg(cast(transition_count as double precision) order by from_state, to_state)
            from {{ transitions_relation }}
        )
    ) as solved
{%- endmacro %}

{#- The DDL the solving model runs as its pre-hook (PostgreSQL only; nothing elsewhere). -#}
{% macro markov_solver_ddl() -%}
    {{ return(adapter.dispatch('markov_solver_ddl', 'marketing_kpis')()) }}
{%- endmacro %}

{% macro default__markov_solver_ddl() -%}
    {{ return([]) }}
{%- endmacro %}

{% macro postgres__markov_solver_ddl() -%}
    {%- set schema = target.schema -%}
    {%- set absorption -%}
create schema if not exists {{ schema }};
-- P(absorbed in CONVERSION from START) of a chain given as transition probabilities:
-- q[i][j] channel i -> channel j, r[i] channel i -> CONVERSION, s[i] START -> channel i.
-- `removed` (0 = none) is a channel whose incoming transitions go to NULL: x[removed] = 0.
-- Solves (I - Q) x = r by Gaussian elimination with partial pivoting, then returns s . x.
create or replace function {{ schema }}.mkpi_markov_absorption(
    q double precision[], r double precision[], s double precision[], removed integer
) returns double precision language plpgsql immutable as $body$
declare
    n integer := coalesce(array_length(r, 1), 0);
    a double precision[];
    x double precision[];
    pivot_row integer;
    factor double precision;
    swap double precision;
    total double precision;
begin
    if n = 0 then
        return 0;
    end if;
    a := array_fill(0::double precision, array[n, n + 1]);
    for i in 1 .. n loop
        for j in 1 .. n loop
            if i = removed then
                a[i][j] := case when i = j then 1 else 0 end;
            else
                a[i][j] := case when i = j then 1 else 0 end - q[i][j];
            end if;
        end loop;
        a[i][n + 1] := case when i = removed then 0 else r[i] end;
    end loop;
    for k in 1 .. n loop
        pivot_row := k;
        for i in k + 1 .. n loop
            if abs(a[i][k]) > abs(a[pivot_row][k]) then
                pivot_row := i;
            end if;
        end loop;
        if pivot_row <> k then
            for j in k .. n + 1 loop
                swap := a[k][j];
                a[k][j] := a[pivot_row][j];
                a[pivot_row][j] := swap;
            end loop;
        end if;
        for i in k + 1 .. n loop
            factor := a[i][k] / a[k][k];
            if factor <> 0 then
                for j in k .. n + 1 loop
                    a[i][j] := a[i][j] - factor * a[k][j];
                end loop;
            end if;
        end loop;
    end loop;
    x := array_fill(0::double precision, array[n]);
    for i in reverse n .. 1 loop
        total := a[i][n + 1];
        for j in i + 1 .. n loop
            total := total - a[i][j] * x[j];
        end loop;
        x[i] := total / a[i][i];
    end loop;
    total := 0;
    for i in 1 .. n loop
        total := total + s[i] * x[i];
    end loop;
    return total;
end;
$body$;
    {%- endset -%}
    {%- set effects -%}
-- Removal effects per channel from transition counts (START, channels, CONVERSION, NULL).
create or replace function {{ schema }}.mkpi_markov_removal_effects(
    from_states text[], to_states text[], transition_counts double precision[]
) returns table (
    channel text,
    conversion_probability double precision,
    conversion_probability_without_channel double precision,
    removal_effect double precision
) language plpgsql immutable as $body$
declare
    channels text[];
    n integer;
    q double precision[];
    r double precision[];
    s double precision[];
    out_totals double precision[];
    start_total double precision := 0;
    from_index integer;
    to_index integer;
    overall double precision;
    without double precision;
begin
    select coalesce(array_agg(state order by state collate "C"), array[]::text[]) into channels
    from (
        select unnest(coalesce(from_states, array[]::text[])) as state
        union
        select unnest(coalesce(to_states, array[]::text[]))
    ) as states
    where state not in ('START', 'CONVERSION', 'NULL');
    n := coalesce(array_length(channels, 1), 0);
    if n = 0 then
        return;
    end if;
    q := array_fill(0::double precision, array[n, n]);
    r := array_fill(0::double precision, array[n]);
    s := array_fill(0::double precision, array[n]);
    out_totals := array_fill(0::double precision, array[n]);
    for k in 1 .. array_length(from_states, 1) loop
        from_index := array_position(channels, from_states[k]);
        to_index := array_position(channels, to_states[k]);
        if from_states[k] = 'START' then
            start_total := start_total + transition_counts[k];
            if to_index is not null then
                s[to_index] := s[to_index] + transition_counts[k];
            end if;
        elsif from_index is not null then
            out_totals[from_index] := out_totals[from_index] + transition_counts[k];
            if to_index is not null then
                q[from_index][to_index] := q[from_index][to_index] + transition_counts[k];
            elsif to_states[k] = 'CONVERSION' then
                r[from_index] := r[from_index] + transition_counts[k];
            end if;
        end if;
    end loop;
    for i in 1 .. n loop
        if start_total > 0 then
            s[i] := s[i] / start_total;
        end if;
        if out_totals[i] > 0 then
            r[i] := r[i] / out_totals[i];
            for j in 1 .. n loop
                q[i][j] := q[i][j] / out_totals[i];
            end loop;
        end if;
    end loop;
    overall := {{ schema }}.mkpi_markov_absorption(q, r, s, 0);
    for i in 1 .. n loop
        without := {{ schema }}.mkpi_markov_absorption(q, r, s, i);
        channel := channels[i];
        conversion_probability := overall;
        conversion_probability_without_channel := without;
        removal_effect := case when overall > 0 then greatest(0, 1 - without / overall) else 0 end;
        return next;
    end loop;
end;
$body$;
    {%- endset -%}
    {{ return([absorption, effects]) }}
{%- endmacro %}
