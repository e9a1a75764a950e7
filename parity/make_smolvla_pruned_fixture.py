"""SmolVLA PRUNED parity fixture: proves, with the ORIGINAL LeRobot SmolVLA code, that a Plateau-pruned SmolVLA export
builds and loads UNEDITED and strictly, and records what it computes.

Rerun (no network; reads the export, writes src/test/resources/parity/smolvla-pruned/):
    . /tmp/realref/env-base.sh && "$PY" parity/make_smolvla_pruned_fixture.py /tmp/prunedfx/smolvla-export [OUTPUT_DIR]
where /tmp/prunedfx/smolvla-export is Plateau's pruning of src/test/resources/parity/smolvla/ (layers 2 and 3 removed
from both the VLM text model and the action expert; config.json edited by Plateau: num_vlm_layers 4 -> 2,
num_expert_layers 4 -> 2; model.safetensors with the kept layers 0, 1; plateau-pruning.json). The export's other files
(copies of the base fixture's hidden_states/extras/inputs) are NOT read.

Same environment, stubs and VLM substitution as make_smolvla_fixture.py (imported from it: it has no import-time side
effects; its main() is not run): the hub name "HuggingFaceTB/SmolVLM2-500M-Video-Instruct" resolves to the LOCAL tiny
SmolVLM config in smolvlm_with_expert's namespace only (AutoConfig / AutoProcessor stand-ins). Nothing else is patched:
the depths come from the export's config.json as LeRobot reads it, and upstream cuts the VLM text model to
num_vlm_layers (smolvlm_with_expert.py:102-105) and builds the expert with num_expert_layers (:113-120).

Steps:
  1. SmolVLAConfig from the export's config.json, decoded as LeRobot's draccus config would ("type" selects smolvla,
     features -> PolicyFeature, normalization modes -> NormalizationMode, lists -> tuples, null -> None; any key
     SmolVLAConfig does not have is an error). No field is overridden.
  2. load, three ways, each printing missing / unexpected keys (all must be empty):
       (A) SmolVLAPolicy.from_pretrained(export, config=config, strict=True): LeRobot's loading path,
           PreTrainedPolicy.from_pretrained -> _load_as_safetensor -> safetensors.torch.load_model(strict, device).
           The realref cut has no lerobot/policies/pretrained.py (the base fixture stubs PreTrainedPolicy as a plain
           nn.Module), so those two methods are TRANSCRIBED here (local-directory branch only, see
           lerobot_from_pretrained) from huggingface/lerobot src/lerobot/policies/pretrained.py as stored at 24612adf
           (from_pretrained :69-128, _load_as_safetensor :130-150); SmolVLAPolicy does not override either.
       (B) SmolVLAPolicy(config) + safetensors.torch.load_model(policy, model.safetensors, strict=True).
       (C) the same policy, torch load_state_dict(load_file(...), strict=True).
     The built model must have the depths of plateau-pruning.json (2 + 2); (A) and (B) must hold the same parameters.
  3. LeRobot's training forward (VLAFlowMatching.forward, via the base script's run_one: each sample its own batch of 1)
     on the base fixture's inputs (src/test/resources/parity/smolvla/inputs.json and inputs.safetensors), recording
     vision.*, vlm.-1, vlm.0, vlm.1, expert.-1, expert.0, expert.1 (rows of sample 0 then sample 1), saved as
     hidden_states.safetensors (+ README.txt).
  4. self-checks against the base fixture:
       - the input path: the BASE checkpoint, built from the base config.json and loaded strictly, run on the inputs
         read from file, reproduces the base hidden_states.safetensors bit for bit;
       - vision.*, vlm.-1..1 and expert.-1..1 of the pruned model equal the base states (bit for bit or <= 1e-6
         relative to the layer's max). The VLM never reads the expert; expert layer 1 (cross-attention) reads the
         VLM's layer-1 keys (after rotary) and values (smolvlm_with_expert.py:324-330, 358-370), and with
         num_vlm_layers == num_expert_layers the VLM -> expert layer pairing is i -> i in both models
         (get_model_layers, :396-408).
  5. negative (printed only): what LeRobot does when the same weights meet the UNEDITED base config (num_vlm_layers 4,
     num_expert_layers 4): load_model(strict=True) raises with the missing layers 2, 3; from_pretrained with its
     default strict=False returns a policy whose layers 2, 3 keep their construction-time init, with warnings only.
"""
import dataclasses
import json
import logging
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "..", "src", "test", "resources", "parity", "smolvla")
sys.path.insert(0, HERE)
import make_smolvla_fixture as fx  # noqa: E402  (definitions only; its main() is not run)

SAFETENSORS_SINGLE_FILE = "model.safetensors"  # huggingface_hub.constants.SAFETENSORS_SINGLE_FILE


# ---------------------------------------------------------------------------------------------------------------------
# LeRobot's loading path (transcribed; the realref cut has no lerobot/policies/pretrained.py).
# ---------------------------------------------------------------------------------------------------------------------
def install_lerobot_loader():
    """PreTrainedPolicy.from_pretrained / _load_as_safetensor, huggingface/lerobot 24612adf
    src/lerobot/policies/pretrained.py:69-150, on the stub PreTrainedPolicy (the local-directory branch; the hub
    branch and PreTrainedConfig.from_pretrained (draccus) are not used: config is passed explicitly, as the caller of
    from_pretrained may). log_model_loading_keys (lerobot/policies/utils.py) logs with logging.warning only."""
    import packaging.version
    import safetensors
    from safetensors.torch import load_model as load_model_as_safetensor

    PreTrainedPolicy = sys.modules["lerobot.policies.pretrained"].PreTrainedPolicy

    def log_model_loading_keys(missing_keys, unexpected_keys):
        if missing_keys:
            logging.warning(f"Missing key(s) when loading model: {missing_keys}")
        if unexpected_keys:
            logging.warning(f"Unexpected key(s) when loading model: {unexpected_keys}")

    def from_pretrained(cls, pretrained_name_or_path, *, config=None, strict=False, **kwargs):  # :70-84, strict=False
        if config is None:
            raise NotImplementedError("fixture passes config explicitly (draccus is not in the realref cut)")
        model_id = str(pretrained_name_or_path)
        instance = cls(config, **kwargs)
        if not os.path.isdir(model_id):
            raise NotImplementedError("fixture loads from a local directory only (no hub)")
        print("Loading weights from local directory")
        model_file = os.path.join(model_id, SAFETENSORS_SINGLE_FILE)
        policy = cls._load_as_safetensor(instance, model_file, config.device, strict)
        policy.to(config.device)
        policy.eval()
        return policy

    def _load_as_safetensor(cls, model, model_file, map_location, strict):
        kwargs = {"strict": strict}
        if packaging.version.parse(safetensors.__version__) >= packaging.version.parse("0.4.3"):
            kwargs["device"] = map_location
        missing_keys, unexpected_keys = load_model_as_safetensor(model, model_file, **kwargs)
        log_model_loading_keys(missing_keys, unexpected_keys)
        LAST_LOAD[:] = [sorted(missing_keys), sorted(unexpected_keys)]  # recording only
        if "device" not in kwargs and map_location != "cpu":
            model.to(map_location)
        return model

    PreTrainedPolicy.from_pretrained = classmethod(from_pretrained)
    PreTrainedPolicy._load_as_safetensor = classmethod(_load_as_safetensor)
    return safetensors.__version__


LAST_LOAD = []


def config_from_json(path, SmolVLAConfig, FeatureType, NormalizationMode, PolicyFeature):
    with open(path) as f:
        raw = json.load(f)
    assert raw.pop("type") == "smolvla", "not a smolvla config"
    names = {f.name for f in dataclasses.fields(SmolVLAConfig)}
    unknown = sorted(set(raw) - names)
    if unknown:
        raise ValueError("config.json keys SmolVLAConfig does not have: %s" % unknown)
    kw = {}
    for k, v in raw.items():
        if k in ("input_features", "output_features"):
            v = {n: PolicyFeature(type=FeatureType(f["type"]), shape=tuple(f["shape"])) for n, f in v.items()}
        elif k == "normalization_mapping":
            v = {n: NormalizationMode(x) for n, x in v.items()}
        elif k == "rtc_config" and v is not None:
            raise ValueError("rtc_config is not null")
        elif isinstance(v, list):
            v = tuple(v)
        kw[k] = v
    return SmolVLAConfig(**kw)


def eager(policy):
    """As fx.make_policy: torch 1.13 has no SDPA; the vision tower uses eager attention (no value changes)."""
    vlm = policy.model.vlm_with_expert.vlm
    vlm.config.vision_config._attn_implementation = "eager"
    vlm.model.vision_model.config._attn_implementation = "eager"
    return policy.float().eval()


def depths(policy):
    vwe = policy.model.vlm_with_expert
    return len(vwe.get_vlm_model().text_model.layers), len(vwe.lm_expert.layers)


def read_inputs():
    from safetensors.torch import load_file
    with open(os.path.join(BASE, "inputs.json")) as f:
        meta = json.load(f)
    arrays = load_file(os.path.join(BASE, "inputs.safetensors"))
    n = len(meta["tokens"])
    # state.<s> [32] and actions.<s> [50, 32] are stored padded; run_one's pad_vector leaves them unchanged
    # (vla_utils.py:126-127).
    return ([torch.tensor(t, dtype=torch.long) for t in meta["tokens"]], [arrays["images.%d" % s] for s in range(n)],
            [arrays["state.%d" % s] for s in range(n)], [arrays["noise.%d" % s] for s in range(n)],
            [arrays["actions.%d" % s] for s in range(n)], meta["time"])


def record(policy, vu, inputs):
    tokens, images, states, noise, actions, times = inputs
    n_vision, n_vlm, n_expert = fx.hook_policy(policy)
    runs = [fx.run_one(policy, vu, images[s], tokens[s], states[s], noise[s], actions[s], times[s])
            for s in range(len(tokens))]
    out = {k: torch.cat([r[k][0] for r in runs]).contiguous().float() for k in fx.names(n_vision, n_vlm, n_expert)}
    return out, runs


def main():
    export = os.path.abspath(sys.argv[1])
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "src", "test", "resources", "parity",
                                                             "smolvla-pruned")
    with open(os.path.join(export, "plateau-pruning.json")) as f:
        pruning = json.load(f)
    want = (pruning["depths"]["vlm"], pruning["depths"]["expert"])
    print("plateau-pruning.json: depths vlm %d / expert %d, removed vlm %s / expert %s, layer_map %s" % (
        want + (pruning["plan"]["vlm"]["remove"], pruning["plan"]["expert"]["remove"], pruning["layer_map"])))

    FeatureType, NormalizationMode, PolicyFeature = fx.install_lerobot_stubs()
    st_version = install_lerobot_loader()
    from safetensors.torch import load_file, load_model, save_file
    from lerobot.policies.common import vla_utils as vu
    from lerobot.policies.smolvla import smolvlm_with_expert as x
    from lerobot.policies.smolvla import modeling_smolvla as m
    from lerobot.policies.smolvla.configuration_smolvla import SmolVLAConfig
    tiny = fx.resolve_vlm_locally(x)
    fx.install_recorder(x)
    print("tiny SmolVLM text_config.num_hidden_layers %d (cut by upstream to num_vlm_layers); safetensors %s" % (
        tiny.text_config.num_hidden_layers, st_version))

    # ---- 1. config ----
    config_file = os.path.join(export, "config.json")
    config = config_from_json(config_file, SmolVLAConfig, FeatureType, NormalizationMode, PolicyFeature)
    print("export config.json -> SmolVLAConfig: num_vlm_layers %d, num_expert_layers %d, self_attn_every_n_layers %d, "
          "attention_mode %s, vlm_model_name %s, load_vlm_weights %s" % (
              config.num_vlm_layers, config.num_expert_layers, config.self_attn_every_n_layers,
              config.attention_mode, config.vlm_model_name, config.load_vlm_weights))

    # ---- 2. load ----
    print("\nLOAD (export unedited):")
    model_file = os.path.join(export, SAFETENSORS_SINGLE_FILE)
    torch.manual_seed(0)
    policy = m.SmolVLAPolicy.from_pretrained(export, config=config, strict=True)
    eager(policy)
    print("  (A) SmolVLAPolicy.from_pretrained(export, config=<export config.json>, strict=True) [LeRobot's "
          "_load_as_safetensor -> safetensors load_model]:\n      missing %s\n      unexpected %s" % tuple(LAST_LOAD))
    assert LAST_LOAD == [[], []]
    print("      built: VLM text layers %d, expert layers %d; num_vlm_layers %d / num_expert_layers %d on the module; "
          "expert k_proj shapes %s" % (depths(policy) + (
              policy.model.vlm_with_expert.num_vlm_layers, policy.model.vlm_with_expert.num_expert_layers,
              [tuple(l.self_attn.k_proj.weight.shape) for l in policy.model.vlm_with_expert.lm_expert.layers])))
    assert depths(policy) == want, "built depths %s != plateau-pruning.json %s" % (depths(policy), want)
    torch.manual_seed(123)
    fresh = eager(m.SmolVLAPolicy(config_from_json(config_file, SmolVLAConfig, FeatureType, NormalizationMode,
                                                   PolicyFeature)))
    missing, unexpected = load_model(fresh, model_file, strict=True)
    print("  (B) safetensors.torch.load_model(SmolVLAPolicy(config), model.safetensors, strict=True):\n"
          "      missing %s\n      unexpected %s" % (sorted(missing), sorted(unexpected)))
    assert not missing and not unexpected
    raw = load_file(model_file)
    r = fresh.load_state_dict(raw, strict=True)
    print("  (C) torch load_state_dict(load_file(model.safetensors), strict=True):\n      missing %s\n"
          "      unexpected %s" % (r.missing_keys, r.unexpected_keys))
    assert not r.missing_keys and not r.unexpected_keys
    sa, sb = policy.state_dict(), fresh.state_dict()
    same_params = list(sa) == list(sb) and all(torch.equal(sa[k], sb[k]) for k in sa)
    print("      file: %d tensors (%s); policy state_dict: %d; (A) and (B) hold identical parameters: %s" % (
        len(raw), ", ".join(sorted({str(v.dtype) for v in raw.values()})), len(sa), same_params))
    assert same_params and set(raw) == set(sa)

    # ---- 3. training forward ----
    inputs = read_inputs()
    states, runs = record(policy, vu, inputs)
    again, _ = record(fresh, vu, inputs)
    print("  (B)'s policy gives the same states as (A)'s: %s" % all(torch.equal(again[k], states[k]) for k in states))

    # ---- 4. self-checks ----
    base_states = load_file(os.path.join(BASE, "hidden_states.safetensors"))
    print("\nSELF-CHECK 4a: the input path (base checkpoint + base config.json, strict, on the inputs read from file):")
    base_config = config_from_json(os.path.join(BASE, "config.json"), SmolVLAConfig, FeatureType, NormalizationMode,
                                   PolicyFeature)
    torch.manual_seed(0)
    base_policy = eager(m.SmolVLAPolicy(base_config))
    bm, bu = load_model(base_policy, os.path.join(BASE, SAFETENSORS_SINGLE_FILE), strict=True)
    base_again, base_runs = record(base_policy, vu, inputs)
    ok_input = set(base_again) == set(base_states) and all(torch.equal(base_again[k], base_states[k])
                                                            for k in base_states)
    print("  base depths %s, missing %s, unexpected %s; reproduces base hidden_states.safetensors bit for bit: %s" % (
        depths(base_policy), sorted(bm), sorted(bu), ok_input))
    assert ok_input

    print("\nSELF-CHECK 4b: pruned vs base fixture %s (rel = max abs diff / base layer's max |x|):" %
          os.path.abspath(BASE))
    ok = True
    for k in states:
        a, b = states[k], base_states[k]
        assert a.shape == b.shape, (k, a.shape, b.shape)
        rel = fx.rel(a, b)
        print("  %-10s %-10s bit-identical %-5s max abs diff %.3g  rel %.3g" % (
            k, list(a.shape), torch.equal(a, b), (a - b).abs().max().item(), rel))
        ok = ok and rel <= 1e-6
    for side, n in (("vlm", want[0]), ("expert", want[1])):
        print("  %s: pruned model has no %s.%d; base %s.%d / %s.%d exist (removed layers' outputs)" % (
            side, side, n, side, n, side, n + 1))
    print("  loss mean per sample: pruned %s, base %s (the final norm and action_out_proj now read layer 1's "
          "output)" % (["%.6g" % r["loss"].mean().item() for r in runs],
                       ["%.6g" % r["loss"].mean().item() for r in base_runs]))
    assert ok, "kept layers differ from the base fixture"

    os.makedirs(out, exist_ok=True)
    save_file(states, os.path.join(out, "hidden_states.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(out, "README.txt"), "w") as f:
        f.write(README)
    print("\nwritten to %s:" % os.path.abspath(out))
    for name in sorted(os.listdir(out)):
        print("  %-28s %d bytes" % (name, os.path.getsize(os.path.join(out, name))))
    for k, v in states.items():
        print("    %-10s %s %s" % (k, list(v.shape), str(v.dtype)))

    # ---- 5. negative: the same weights with the unedited base config (depth 4) ----
    print("\nNEGATIVE (printed only): export model.safetensors with the BASE config.json (num_vlm_layers 4, "
          "num_expert_layers 4):")
    torch.manual_seed(0)
    wrong = eager(m.SmolVLAPolicy(config_from_json(os.path.join(BASE, "config.json"), SmolVLAConfig, FeatureType,
                                                   NormalizationMode, PolicyFeature)))
    try:
        load_model(wrong, model_file, strict=True)
        print("  load_model(strict=True): loaded?!")
    except RuntimeError as e:
        text = str(e).replace("\n", " ")
        print("  load_model(strict=True) raises RuntimeError: %s%s" % (text[:240], " ..." if len(text) > 240 else ""))
    logging.basicConfig(format="      | logging.%(levelname)s: %(message).160s ...")
    print("  SmolVLAPolicy.from_pretrained(export, config=<base config>) with LeRobot's default strict=False:")
    torch.manual_seed(0)
    loose = eager(m.SmolVLAPolicy.from_pretrained(export, config=config_from_json(
        os.path.join(BASE, "config.json"), SmolVLAConfig, FeatureType, NormalizationMode, PolicyFeature)))
    print("      -> returned a policy with VLM %d / expert %d layers; %d keys missing (layers %s), %d unexpected; "
          "no exception" % (depths(loose) + (len(LAST_LOAD[0]), sorted({int(k.split("layers.")[1].split(".")[0])
                                                                          for k in LAST_LOAD[0]}), len(LAST_LOAD[1]))))


README = """smolvla-pruned: layer states of the Plateau-pruned tiny SmolVLA, computed by the ORIGINAL LeRobot SmolVLA code.

What: the tiny SmolVLA fixture of ../smolvla/ (4 VLM text layers + 4 expert layers, self_attn_every_n_layers 2,
cross_attn) pruned by Plateau: layers 2 and 3 removed from both the VLM text model and the action expert (kept layers
0, 1 keep their numbers); config.json edited by Plateau (num_vlm_layers 4 -> 2, num_expert_layers 4 -> 2);
model.safetensors with the kept layers; plateau-pruning.json. LeRobot builds and loads that export UNEDITED:
SmolVLAPolicy(SmolVLAConfig from the export's config.json) has 2 + 2 layers (upstream cuts the VLM to num_vlm_layers
and builds the expert with num_expert_layers), and model.safetensors loads with strict=True through LeRobot's
PreTrainedPolicy.from_pretrained -> _load_as_safetensor -> safetensors.torch.load_model (missing and unexpected keys
empty), also with safetensors load_model and torch load_state_dict, strict.

hidden_states.safetensors (float32; rows of sample 0 then sample 1; the inputs are ../smolvla/inputs.json and
../smolvla/inputs.safetensors): vision.-1, vision.0, vision.1 [128, 128]; vlm.-1, vlm.0, vlm.1 [54, 128];
expert.-1, expert.0, expert.1 [100, 96]. Same names and meaning as ../smolvla/hidden_states.safetensors (the stream
after each layer, before the final norm), with 2 layers instead of 4. Since the removed layers are the last ones, every
state here equals the base fixture's state of the same name bit for bit (checked by the script): the VLM never reads
the expert, and expert layer 1 (cross-attention) reads the VLM's layer-1 keys/values, which are unchanged.

How: parity/make_smolvla_pruned_fixture.py, run as
    . /tmp/realref/env-base.sh && "$PY" parity/make_smolvla_pruned_fixture.py /tmp/prunedfx/smolvla-export
It reuses make_smolvla_fixture.py's stubs and its local resolution of vlm_model_name to the tiny SmolVLM config
(nothing else patched; the depths come from the export's config.json), transcribes LeRobot's
PreTrainedPolicy.from_pretrained / _load_as_safetensor (not in the realref cut; huggingface/lerobot 24612adf
src/lerobot/policies/pretrained.py:69-150), runs LeRobot's training forward per sample, and checks the input path (the
base checkpoint reproduces ../smolvla/hidden_states.safetensors bit for bit) and the pruned states against the base
fixture. It also prints what happens when the same weights meet the unedited base config (num_vlm_layers 4): strict
loading raises (missing layers 2, 3), while from_pretrained's default strict=False only logs warnings.
"""


if __name__ == "__main__":
    main()
