#!/usr/bin/env python3
"""Makes a workspace N times larger, as a growing installation would look: every project of an
exported workspace (format v1) is copied N times under new keys and ids, with its sprints,
reviews, retros, interviews, feedback and data-quality issues; users and stakeholders are shared
(the same people take part in more projects). The benchmark uses it to turn the 200-project demo
into 2,000 projects.

    scripts/grow-workspace.py IN.json OUT.json N
"""
import json
import sys


def main() -> None:
    src, dst, times = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(src, encoding="utf-8") as f:
        ws = json.load(f)
    originals = ws["projects"]
    projects = []
    copies_of: dict[str, list[str]] = {}
    for copy in range(times):
        for p in originals:
            if copy == 0:
                projects.append(p)
                copies_of.setdefault(p["id"], []).append(p["id"])
                continue
            q = json.loads(json.dumps(p))
            suffix = f"-{copy + 1}"
            q["id"] = p["id"] + suffix
            q["key"] = (p["key"][: 40 - len(suffix)] + suffix).strip("-")
            q["name"] = f'{p["name"]} ({copy + 1})'
            for list_name in ("interviews", "feedback", "dq_issues"):
                for item in q.get(list_name) or []:
                    item["id"] = item["id"] + suffix
            projects.append(q)
            copies_of[p["id"]].append(q["id"])
    for s in ws.get("stakeholders", []):
        s["projects"] = [c for pid in s.get("projects") or [] for c in copies_of.get(pid, [pid])]
    ws["projects"] = projects
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(ws, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
