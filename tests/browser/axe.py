"""Accessibility checks in the browser with axe-core (from web/node_modules, installed by npm)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Page

__all__ = ["AXE_SCRIPT", "assert_accessible", "axe_violations"]

AXE_SCRIPT = (
    Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
)

_RUN = """
async (impacts) => {
  const result = await axe.run(document, {
    resultTypes: ["violations"],
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
  });
  return result.violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
    }));
}
"""


async def axe_violations(
    page: Page, impacts: tuple[str, ...] = ("serious", "critical")
) -> list[dict[str, Any]]:
    """The axe-core violations of `impacts` on the page as it is now."""
    if not AXE_SCRIPT.is_file():
        raise FileNotFoundError(
            f"{AXE_SCRIPT}: run `npm ci` in web/ (axe-core is a dev dependency)"
        )
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE_SCRIPT))
    violations: list[dict[str, Any]] = await page.evaluate(_RUN, list(impacts))
    return violations


async def assert_accessible(page: Page, where: str) -> None:
    """Fail with a readable list unless axe finds no serious or critical violation."""
    violations = await axe_violations(page)
    if violations:
        lines = [f"{where}: {len(violations)} serious/critical accessibility violation(s)"]
        for v in violations:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
            lines.extend(f"    {n['target']}: {n['summary']}" for n in v["nodes"][:5])
        raise AssertionError("\n".join(lines))
