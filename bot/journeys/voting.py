"""Making a map actionable: everyone dot-votes on the pains and opportunities of the whole map
(a few votes each, as retro tools do), then the team gives each chosen opportunity an owner.

The ballot is a modal per person (their votes replace their earlier ones); *Vote results* ranks
what was voted and asks for an owner for each of the most voted opportunities; the card lists
the chosen opportunities and their owners.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk.models.blocks import InputBlock, Option, StaticMultiSelectElement, UserSelectElement
from slack_sdk.models.blocks.basic_components import PlainTextObject

from bot import blocks
from bot.journeys import changes, ids, lookup, modals
from bot.modal_values import ModalValues
from bot.request_context import RequestContext
from prompts import Prompts
from storage import journey_layers as layers
from storage import journey_votes as votes
from storage.journey_layers import JourneyMap

VOTING = "journeys/voting"
VOTES_PER_PERSON = 5
OPTIONS_MAX = 100  # a select's limit
RANKED_SHOWN = 10
OWNED_MAX = 5  # the most voted opportunities that get an owner


def _t(prompts: Prompts, macro: str, **kw: object) -> str:
    return prompts.part(VOTING, macro, **kw)


def _label(prompts: Prompts, journey_map: JourneyMap, item: votes.Item) -> str:
    stage = next((s.name for s in journey_map.stages if s.id == item.stage_id), "")
    layer = next((x.name for x in journey_map.layers if x.id == item.layer_id), "")
    return _t(prompts, "item", field=item.field, stage=stage, layer=layer, text=item.text, votes=item.votes)


def handle_vote(ack: Ack, ctx: RequestContext) -> None:
    """The card's "Vote": this person's ballot over the map's pains and opportunities."""
    journey, prompts = lookup.by_value(ctx), ctx.deps.prompts
    journey_map = layers.load_map(ctx.db, journey=journey) if journey else None
    found = votes.items(journey_map)[:OPTIONS_MAX] if journey_map else []
    if journey is None or not found:
        view = modals.build_info(prompts, _t(prompts, "nothing") if journey else prompts.part(modals.MODALS, "gone"))
    else:
        mine = votes.ballot(ctx.db, journey=journey, voter_id=ctx.user_id)
        options = [Option(value=i.key, text=PlainTextObject(text=blocks.clip(_label(prompts, journey_map, i), 75)))
                   for i in found]
        element = StaticMultiSelectElement(action_id="value", options=options, max_selected_items=VOTES_PER_PERSON,
                                           initial_options=[o for o in options if o.value in mine] or None)
        view = blocks.modal(callback_id=ids.VOTE_MODAL, title=_t(prompts, "title"), submit=_t(prompts, "submit"),
                            close=prompts.part(modals.MODALS, "cancel"), private_metadata=str(journey.id), blocks=[
            blocks.section(_t(prompts, "intro", name=journey.name, votes=VOTES_PER_PERSON, count=len(found))),
            InputBlock(block_id=ids.VOTE_BLOCK, label=PlainTextObject(text=_t(prompts, "label")), optional=True,
                       element=element)])
    ack()
    ctx.later(lookup.open_modal, ctx, view)


def handle_vote_submission(ack: Ack, ctx: RequestContext) -> None:
    prompts = ctx.deps.prompts
    journey = lookup.by_value(ctx, ctx.private_metadata)
    if journey is None:
        ack(response_action="update", view=modals.build_gone(prompts))
        return
    picked = ModalValues(ctx.view).checked(ids.VOTE_BLOCK)
    if len(picked) > VOTES_PER_PERSON:
        ack(response_action="errors", errors={ids.VOTE_BLOCK: _t(prompts, "too_many", votes=VOTES_PER_PERSON)})
        return
    chosen = [i for i in votes.items(layers.load_map(ctx.db, journey=journey)) if i.key in picked]
    votes.cast(ctx.db, journey=journey, voter_id=ctx.user_id, chosen=chosen, now=ctx.now())
    ack(response_action="update", view=modals.build_info(prompts, _t(prompts, "cast", count=len(chosen))))


def _top_opportunities(ranked: list[votes.Item]) -> list[votes.Item]:
    return [i for i in ranked if i.field == "opportunities"][:OWNED_MAX]


def handle_results(ack: Ack, ctx: RequestContext) -> None:
    """The card's "Vote results": the ranking, and an owner for each most-voted opportunity."""
    journey, prompts = lookup.by_value(ctx), ctx.deps.prompts
    view = modals.build_gone(prompts) if journey is None else build_results(prompts, ctx, journey)
    ack()
    ctx.later(lookup.open_modal, ctx, view)


def build_results(prompts: Prompts, ctx: RequestContext, journey: Any) -> dict:
    journey_map = layers.load_map(ctx.db, journey=journey)
    ranked, voters = votes.results(ctx.db, journey=journey)
    if not ranked:
        return modals.build_info(prompts, _t(prompts, "no_votes"))
    owned = {o.item_key: o.owner_id for o in votes.owners(ctx.db, journey=journey)}
    rows: list[Any] = [blocks.section(_t(prompts, "results_intro", voters=voters, name=journey.name)),
                       blocks.section(blocks.clip("\n".join(_label(prompts, journey_map, i)
                                                            for i in ranked[:RANKED_SHOWN]), 3000))]
    top = _top_opportunities(ranked)
    for item in top:
        label = blocks.clip(_t(prompts, "owner_label", text=item.text), 2000)
        rows.append(InputBlock(block_id=f"{ids.OPPORTUNITY_PREFIX}{item.key}", optional=True,
                               label=PlainTextObject(text=label),
                               element=UserSelectElement(action_id="value", initial_user=owned.get(item.key))))
    if not top:
        rows.append(blocks.context(_t(prompts, "no_opportunities")))
    return blocks.modal(callback_id=ids.RESULTS_MODAL, title=_t(prompts, "results_title"), blocks=rows,
                        submit=_t(prompts, "save_owners") if top else None, close=prompts.part(modals.MODALS, "close"),
                        private_metadata=str(journey.id))


def handle_results_submission(ack: Ack, ctx: RequestContext) -> None:
    form = ModalValues(ctx.view)
    journey = lookup.by_value(ctx, ctx.private_metadata)
    if journey is None:
        ack()
        return
    ranked, _ = votes.results(ctx.db, journey=journey)
    assigned = [votes.assign(ctx.db, journey=journey, item=item, owner_id=owner, by=ctx.user_id, now=ctx.now())
                for item in _top_opportunities(ranked)
                if (owner := form.user(f"{ids.OPPORTUNITY_PREFIX}{item.key}"))]
    if any(assigned):
        changes.changed(ctx, journey, detail="opportunities")
    ack()
