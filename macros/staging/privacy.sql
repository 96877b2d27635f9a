{#-
    Personal data (docs/raw-data.md, "Personal data"). No email address leaves staging:

    - the `email` column of `leads` becomes `email_hash`, a salted md5 of the trimmed, lower-cased
      address (var `email_hash_salt`);
    - any other text value that contains an email-shaped string (`x@y.tld`, or `x%40y.tld` as a
      URL writes it) is replaced, whole, by the token `email_<that same salted hash>` of the
      trimmed, lower-cased value. Equal values give equal tokens in every table, so an email used
      as an id still joins; a token holds no `@` and passes through unchanged when masked again;
      every other value (`@handle`, `user@localhost`, NULL) passes through unchanged.

    The salt must stay secret: with it, a list of known addresses can be hashed and compared.
    Changing it changes every hash and token: rebuild with --full-refresh.
-#}

{#- Used when var email_hash_salt is unset: better than none (public md5 lists of addresses do not
    match), but public, so every run warns until a project sets its own. -#}
{% macro default_email_hash_salt() -%}
    {{ return('mkpi-public-default-salt') }}
{%- endmacro %}

{% macro email_hash_salt() -%}
    {%- set configured = var('email_hash_salt', none) -%}
    {{ return(configured | string if configured not in [none, ''] else default_email_hash_salt()) }}
{%- endmacro %}

{#- on-run-start: one warning per run while the salt is the public default. -#}
{% macro warn_on_default_email_hash_salt() -%}
    {%- if execute and email_hash_salt() == default_email_hash_salt() -%}
        {%- do exceptions.warn(
            "var email_hash_salt is not set: email hashes and email tokens use the public default"
            ~ " salt, so they can be reversed against a list of addresses; set a secret salt"
            ~ " (docs/raw-data.md, Personal data)"
        ) -%}
    {%- endif -%}
{%- endmacro %}

{#- The salted hash (32 hex digits) of a trimmed, lower-cased text value. -#}
{% macro salted_email_hash(expression) -%}
    {{ dbt.hash(dbt.concat([
        "'" ~ (email_hash_salt() | replace("'", "''")) ~ "|'",
        "lower(trim(" ~ expression ~ "))",
    ])) }}
{%- endmacro %}

{#- An address anywhere in the value: local part, `@` (or URL-encoded `%40`), dotted domain. -#}
{% macro email_pattern() -%}
    '[A-Za-z0-9._%+-]+(@|%40)[A-Za-z0-9-]+([.][A-Za-z0-9-]+)*[.][A-Za-z]{2,}'
{%- endmacro %}

{% macro is_email_shaped(expression) -%}
    (
        ({{ dbt.position("'@'", expression) }} > 0 or {{ dbt.position("'%40'", expression) }} > 0)
        and {{ regex_matches(expression, email_pattern()) }}
    )
{%- endmacro %}

{#- The value, or its token when it contains an email-shaped string (NULL stays NULL). -#}
{% macro mask_emails(expression) -%}
    case
        when {{ is_email_shaped(expression) }}
            then {{ dbt.concat(["'email_'", salted_email_hash(expression)]) }}
        else {{ expression }}
    end
{%- endmacro %}

{#-
    The hash of an email column. A connector's contract model already replaced an address by its
    token (mask_emails), whose hash is kept as is, so both routes give the same hash.
-#}
{% macro hashed_email(expression) -%}
    case
        when {{ regex_matches(expression, "'^email_[0-9a-f]{32}$'") }}
            then substr({{ expression }}, 7)
        else {{ salted_email_hash(expression) }}
    end
{%- endmacro %}

{#- Email-shaped text inside a malformed row's line is removed: the line is kept for the rejects,
    its addresses are not (mask_emails replaces a whole value by a token instead, to keep joins). -#}
{% macro strip_emails(expression) -%}
    regexp_replace({{ expression }}, {{ email_pattern() }}, '(email removed)', 'g')
{%- endmacro %}
