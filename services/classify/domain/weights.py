"""The rules' numbers, named in one place (tuned on our dev split and the real dev half, never on test).

Weights are prior strengths in [0, 1]: a contestant is partisan-scored by ``combine`` over its evidence.
Lexicon weights (one per cue word) live with the words in ``lexicon``.
"""
THRESHOLD = 0.5  # rules alone: partisan when the strongest contestant stance reaches this
STANCE_MIN = 0.45  # rules alone: a contestant is listed in ``stance`` from this score
WINDOW_BEFORE, WINDOW_AFTER = 5, 4  # tokens around a reference where its cues are read
ENUMERATION_WINDOW = (1, 2)  # before/after reach of a ballot number listed among others ("01, 02, 03")
CONTRAST_REACH = 2  # "mending [pilih|yg|nomor] X": the contestant a contrast marker points at follows within this many tokens
MAX_SENTENCE = 80  # tokens: a longer run without punctuation is cut, so per-sentence work stays bounded
SECOND_CUE = 0.25  # combine: the second strongest piece of evidence adds this share of itself
NEAR_CUE, FAR_CUE = 1.0, 0.85  # a cue within two tokens of its reference, or further
QUOTED = 0.25  # a cue or reference inside quotation marks is somebody else's words
UNATTACHED_CUE = 0.7  # a strong cue near no reference, given to the only contestant the content names
UNATTACHED_MIN = 0.5  # ... only cues at least this strong
THIRD_PERSON = 0.2  # "dia dukung 02": somebody else's choice
PARTICLE_VETO = 0.6  # an oppose cue this strong in a sentence: its pronouns and particles ("aja", "gw") back nobody

# References that carry a weight of their own
HASHTAG = 0.9
GESTURE_PHRASE = 0.75
GESTURE_EMOJI = (0.55, 0.3)  # with election context, without
GESTURE_COMBO = (0.6, 0.35)
SLOGAN = (0.75, 0.55)  # strong; weak with election context (weak without context: nothing)
OPPOSE_PHRASE = (0.8, 0.55)
BALLOT_NUMBER = (0.5, 0.3)  # zero-padded ("02"), plain ("2")

# Acts, engagement and media
ACT = 0.75  # an SKB act (attending, props, team...) naming a contestant
CAMPAIGN_ACCOUNT = 0.92  # the target of a like/share/follow/comment is a configured campaign account
CAMPAIGN_ACCOUNT_LIKE = 0.8  # ... a volunteer/team handle naming a contestant
CAMPAIGN_GROUP = 0.8
IMAGE_LABEL = (0.6, 0.25)  # a gesture label with a named contestant or context, without
PARTISAN_ATTRIBUTE, PHOTO_WITH = 0.75, 0.6
COMMENT_OPPOSE = 0.7  # a hostile comment on a campaign account

# Combining rules with the older lexical model (``classification.model: grey_zone``): the model decides
# only in the rules' grey zone. It vetoes a weak rule positive (rule score below VETO_BELOW) when it is
# sure the item is not partisan (p < P_VETO), and it raises a near-miss (best contestant score at least
# RESCUE_FROM) when it is sure the item is partisan (p >= P_RESCUE). The target model's thresholds are
# configuration (``classification.decision``), since they are chosen per deployment on real data.
VETO_BELOW, P_VETO = 0.7, 0.05
RESCUE_FROM, P_RESCUE = 0.35, 0.97

# The target model's "which way": the polarity model's probability of "against", mixed with this share of the
# side model's own reading (oppose / (support + oppose)); two views of the same features steady close calls.
POLARITY_SIDE_SHARE = 0.5
# ... and when that probability is within this of 0.5 (the model hardly knows which way), the side the rules lean
# to (support and oppose at least target_model.LEAN apart) decides: on the real dev half's YouTube comments 0.857 ->
# 0.898 stance (the flips are doubt, "bukan hanya ..., tapi", "better than the others", "hanya janji manis").
CLOSE_CALL = 0.3
# ... except on sources the model learnt from thousands of real posts (the annotated X crawl): there its own reading
# of close calls is the better one (5-fold CV on the crawl: stance 0.880 with it, 0.873 with the rules deciding).
CLOSE_CALL_MODEL_SOURCES = frozenset({"x"})
