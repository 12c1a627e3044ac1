"""`python -m reliability.report [result.json]`: the figures of a run as the Markdown tables of RELIABILITY.md."""

import json
import sys


def markdown(results) -> str:
    out = []
    for s in results:
        out.append(
            f"### Phase `{s['phase']}`: {s['requests']} requests in {s['seconds']} s, {s['errors']} errors, "
            f"{s['clean_503']} clean 503, invariants {'hold' if s['invariants_ok'] else 'BROKEN'}\n"
        )
        out.append("| page / API call | requests | errors | clean 503 | p50 ms | p95 ms |")
        out.append("|---|---:|---:|---:|---:|---:|")
        for name, r in s["per_name"].items():
            out.append(
                f"| {name} | {r['requests']} | {r['errors']} | {r['clean_503']} | {r['p50_ms']} | {r['p95_ms']} |"
            )
        for sample in s["error_samples"][:3]:
            out.append(f"\nerror sample: `{json.dumps(sample, ensure_ascii=False)[:300]}`")
        if s.get("notes"):
            out.append(f"\nfault: `{json.dumps(s['notes'], ensure_ascii=False, default=str)[:900]}`")
        if s.get("worker_effects"):
            out.append(f"\nafter the retries: `{json.dumps(s['worker_effects'], ensure_ascii=False)}`")
        if s.get("after"):
            out.append(
                f"\nafter the phase: `{json.dumps(s['after'])}`; client actions so far: "
                f"`{json.dumps(s.get('client_actions', {}))}`"
            )
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/houtai-reliability/result.json"
    print(markdown(json.load(open(path))))
