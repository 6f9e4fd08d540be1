{#- int_contacts__call_legs incremental by call chain (issue 16): a daily build recomputes the chains (contacts) its
    new contact records touch, keyed by the chain's first leg (source_contact_id), on the changed-key rules of
    changed_keys.sql (the watermark, what counts as a changed record, when everything is computed again).

    A chain is touched when one of its legs
      - is a changed record, or comes from a re-sent file (a record the new version lacks leaves its chain; one an
        older file also exported falls back to that version);
      - is the previous leg of a changed record (a transfer or callback leg that arrives later joins its chain);
      - is the next leg of a changed record (a leg that arrives late in the middle of a chain joins the chain after
        it to the chain before it);
      - has an agent_id other than what the roster's usernames say now (an agent the roster names later: their
        earlier legs get their agent_id).
    The build appends the touched chains' legs computed anew, stamped with the time of the build
    (`_chain_built_at`); a post-hook then deletes the older rows of those chains. Both find the touched chains in the
    rows the build found in the table (older than its stamp), so they agree. A leg can only change its chain through
    a changed record on its way back to its first leg, so every leg of a touched chain lands in a chain the build
    computes.

    After a re-sent file the call records the table lacks count as changed too (a chain the table left out for a
    test-account leg the new file no longer has). Everything is computed again when the model has no watermark. A
    changed seed (queues) needs --full-refresh, as everywhere. -#}


{#- The changed records (contact_id, previous_contact_id), any channel (a record that is no longer a call leaves its
    chain): landed since the model's last build; and, after a re-sent file, every call record `rows` (the rows
    found in the table) lacks (a chain the table left out, e.g. for a test-account leg the new file no longer has). -#}
{% macro call_chains_touched_records(rows) -%}
    select
        contact_id,
        previous_contact_id
    from {{ ref('stg_telephony__contact_records') }}
    where
        _landed_at > {{ changed_keys_since() }}
        or (
            exists ({{ changed_keys_replaced_files(['telephony__contact_records']) }})
            and coalesce(channel, 'VOICE') = 'VOICE'
            and contact_id not in (select found.leg_id from {{ rows }} as found)
        )
{%- endmacro %}


{#- The chains (source_contact_id) of `rows` (the rows found in the table) that the changed records touch. -#}
{% macro call_chains_touched(rows) -%}
    with touched as (
        {{ call_chains_touched_records(rows) }}
    )

    select found.source_contact_id
    from {{ rows }} as found
    where
        found.leg_id in (select touched.contact_id from touched)
        or found.leg_id in (
            select touched.previous_contact_id from touched
            where touched.previous_contact_id is not null
        )
        or found.previous_leg_id in (select touched.contact_id from touched)
        or found.source_contact_id in ({{ call_chains_of_other_agents(rows) }})
        or found._source_file in ({{ changed_keys_replaced_files(['telephony__contact_records']) }})
{%- endmacro %}


{#- The chains (source_contact_id) of `rows` with a leg whose agent_id is not what int_agents__identifiers says of its
    username now (an agent the roster names later: their earlier legs get their agent_id). -#}
{% macro call_chains_of_other_agents(rows) -%}
    select found.source_contact_id
    from {{ rows }} as found
    left join {{ ref('int_agents__identifiers') }} as agent_identifiers
        on
            agent_identifiers.identifier_type = 'telephony_username'
            and lower(found.agent_username) = lower(agent_identifiers.identifier_value)
    where found.agent_id is distinct from agent_identifiers.agent_id
{%- endmacro %}


{#- True when the build computes every chain again: `rows` (the rows found in the table) are none, or the model has no
    watermark (built by an earlier version of the project). A re-sent file does not: its legs' chains are touched
    (`_source_file`), and so are the records it brings and the chains the table left out. -#}
{% macro call_chains_recompute_all(rows) -%}
    (
        not exists (select 1 from {{ rows }} as found)
        or {{ changed_keys_unwatermarked() }}
    )
{%- endmacro %}


{#- True for a leg (of `legs`: the legs with their chain's first leg now, first_leg_id) of a chain the build computes:
    every leg on a full build. -#}
{% macro in_call_chains_to_compute(legs, incremental_run) -%}
    {%- if incremental_run -%}
        (
            first_leg_id in ({{ call_chains_touched(this) }})
            or first_leg_id in (
                select chain_legs.first_leg_id
                from {{ legs }} as chain_legs
                inner join ({{ call_chains_touched_records(this) }}) as touched
                    on chain_legs.contact_id = touched.contact_id
            )
            or {{ call_chains_recompute_all(this) }}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#- When this build computed the legs' chains (UTC): later than every row already in the table, so that the post-hook
    tells the older rows apart even if the clock went back. -#}
{% macro call_chains_build_stamp(incremental_run) -%}
    {%- set now = 'cast(' ~ dbt.current_timestamp() ~ ' as ' ~ dbt.type_timestamp() ~ ')' -%}
    {%- if incremental_run -%}
        (
            select greatest({{ now }}, coalesce({{ dbt.dateadd('second', 1, 'max(_chain_built_at)') }}, {{ now }}))
            from {{ this }}
        )
    {%- else -%}
        {{ now }}
    {%- endif -%}
{%- endmacro %}


{#- post-hook: delete the rows older than this build's stamp of the chains it computed again (nothing on a full
    build). -#}
{% macro delete_rebuilt_call_chains() -%}
    {{ return(adapter.dispatch('delete_rebuilt_call_chains', 'contact_center')()) }}
{%- endmacro %}

{% macro default__delete_rebuilt_call_chains() -%}
    {%- if this is not none and is_incremental() -%}
        {%- set older_rows -%}
            (select * from {{ this }} where _chain_built_at is null or _chain_built_at < (
                select max(_chain_built_at) from {{ this }}
            ))
        {%- endset -%}
        delete from {{ this }}
        where
            (_chain_built_at is null or _chain_built_at < (select max(_chain_built_at) from {{ this }}))
            and (
                source_contact_id in ({{ call_chains_touched(older_rows) }})
                or {{ call_chains_recompute_all(older_rows) }}
            )
    {%- endif -%}
{%- endmacro %}

{#- Spark: a delete needs a table format with row-level writes; on plain Parquet only a full build is possible. -#}
{% macro spark__delete_rebuilt_call_chains() -%}
    {%- if not spark_supports_row_level_writes() -%}
        {%- do spark_require_full_refresh() -%}
    {%- endif -%}
    {{ default__delete_rebuilt_call_chains() }}
{%- endmacro %}
