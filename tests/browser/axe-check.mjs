#!/usr/bin/env node
// Accessibility check of handoutkit's HTML edition in a real browser.
//
//   node tests/browser/axe-check.mjs [--json] [--widths=1280,320] [--tags=a,b] FILE.html...
//
// Opens every file in one headless Chromium (the system one: $CHROMIUM, else /usr/bin/chromium;
// no browser is downloaded), offline: any request that is not file:, data:, blob: or about: is
// blocked and reported as a failure. At each viewport width it injects axe-core and runs the
// WCAG 2.x rules chosen by TAGS, and it checks reflow (WCAG 1.4.10: no page-level horizontal
// scrolling at any width). If the page has a dark colour scheme, axe also runs in it.
// Console errors, uncaught page errors and failed local loads are failures too.
//
// Prints PASS or FAIL per file with each violation (rule, impact, help, target selectors, an
// HTML snippet, why it failed). With --json, stdout is one JSON summary and the human-readable
// report goes to stderr.
//
// Exit: 0 every file passed; 1 some file failed; 2 usage error; 3 the browser could not run.

import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);

// WCAG 2.0/2.1/2.2 A and AA, best practices, and AAA: the handouts aim at 7:1 contrast for
// low-vision readers, so color-contrast-enhanced (1.4.6) is enforced as well.
const DEFAULT_TAGS = [
  "wcag2a", "wcag2aa", "wcag2aaa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice",
];
// 1280: a desktop window. 320: WCAG 1.4.10 reflow width (1280 px at 400 % zoom).
const DEFAULT_WIDTHS = [1280, 320];
const LOCAL_SCHEMES = new Set(["file:", "data:", "blob:", "about:"]);
const SNIPPET = 240;

const USAGE = `usage: node axe-check.mjs [--json] [--widths=W,W] [--tags=T,T] FILE.html...

  --json        print a JSON summary on stdout (the text report goes to stderr)
  --widths=...  viewport widths in CSS px (default ${DEFAULT_WIDTHS.join(",")})
  --tags=...    axe-core tags to run (default ${DEFAULT_TAGS.join(",")})

Browser: $CHROMIUM, else /usr/bin/chromium (install: scripts/setup-browser).
Exit: 0 all files pass, 1 violations or blocked requests, 2 usage error, 3 browser failure.`;

class UsageError extends Error {}

function parseArgs(argv) {
  const options = { json: false, widths: DEFAULT_WIDTHS, tags: DEFAULT_TAGS, files: [] };
  let onlyFiles = false;
  for (const arg of argv) {
    if (onlyFiles || !arg.startsWith("-")) {
      options.files.push(arg);
    } else if (arg === "--") {
      onlyFiles = true;
    } else if (arg === "-h" || arg === "--help") {
      options.help = true;
    } else if (arg === "--json") {
      options.json = true;
    } else if (arg.startsWith("--widths=")) {
      const widths = arg.slice("--widths=".length).split(",").map((w) => Number(w.trim()));
      if (!widths.length || widths.some((w) => !Number.isInteger(w) || w < 200 || w > 4000)) {
        throw new UsageError(`bad --widths: ${arg} (integers from 200 to 4000, comma-separated)`);
      }
      options.widths = widths;
    } else if (arg.startsWith("--tags=")) {
      const tags = arg.slice("--tags=".length).split(",").map((t) => t.trim()).filter(Boolean);
      if (!tags.length) throw new UsageError("bad --tags: empty");
      options.tags = tags;
    } else {
      throw new UsageError(`unknown option: ${arg}`);
    }
  }
  if (options.help) return options;
  if (!options.files.length) throw new UsageError("no HTML file given");
  for (const file of options.files) {
    if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`no such file: ${file}`);
  }
  return options;
}

function chromiumPath() {
  const path = process.env.CHROMIUM || "/usr/bin/chromium";
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path} (set CHROMIUM, or install it with scripts/setup-browser)`,
    );
  }
  return path;
}

// --- in the page -------------------------------------------------------------------------

async function runAxe(tags) {
  /* global axe */
  const join = (target) => target.map((t) => (Array.isArray(t) ? t.join(" >>> ") : t)).join(" ");
  const results = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations", "incomplete"],
  });
  const simplify = (rule) => ({
    id: rule.id,
    impact: rule.impact,
    help: rule.help,
    helpUrl: rule.helpUrl,
    tags: rule.tags.filter((t) => /^(wcag|best-practice)/.test(t)),
    nodes: rule.nodes.map((node) => ({
      target: join(node.target),
      html: node.html,
      summary: node.failureSummary || "",
    })),
  });
  return {
    rules: results.passes.length + results.violations.length + results.incomplete.length
      + results.inapplicable.length,
    violations: results.violations.map(simplify),
    incomplete: results.incomplete.map(simplify),
  };
}

function measureReflow() {
  // Page-level horizontal scrolling at this width; a wide table inside its own scrolling,
  // focusable box is allowed by WCAG 1.4.10 (two-dimensional content) and does not count.
  const root = document.scrollingElement || document.documentElement;
  const viewport = document.documentElement.clientWidth;
  const scroll = root.scrollWidth;
  if (scroll <= viewport + 1) return null;
  const clipped = (element) => {
    for (let e = element.parentElement; e; e = e.parentElement) {
      if (e === document.body || e === document.documentElement) return false;
      const overflow = getComputedStyle(e).overflowX;
      if (overflow !== "visible") return true;
    }
    return false;
  };
  const selector = (element) => {
    const parts = [];
    for (let e = element; e && e !== document.documentElement && parts.length < 4;
      e = e.parentElement) {
      let part = e.localName;
      if (e.id) { parts.unshift(`${part}#${CSS.escape(e.id)}`); break; }
      if (e.classList.length) part += `.${[...e.classList].map((c) => CSS.escape(c)).join(".")}`;
      const siblings = e.parentElement
        ? [...e.parentElement.children].filter((s) => s.localName === e.localName) : [];
      if (siblings.length > 1) part += `:nth-of-type(${siblings.indexOf(e) + 1})`;
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  const offenders = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= viewport + 1 || clipped(element)) continue;
    // report the outermost overflowing elements only
    if (offenders.some((o) => o.element.contains(element))) continue;
    offenders.push({ element, right: Math.round(box.right) });
    if (offenders.length >= 8) break;
  }
  if (!offenders.length) {
    return {
      nodes: [{
        target: "html",
        html: "",
        summary: `the page is ${scroll}px wide in a ${viewport}px viewport`,
      }],
    };
  }
  return {
    nodes: offenders.map(({ element, right }) => ({
      target: selector(element),
      html: element.outerHTML,
      summary: `right edge at ${right}px, viewport ${viewport}px wide`,
    })),
  };
}

function usesDarkScheme() {
  const walk = (rules) => {
    for (const rule of rules) {
      if (rule.media && /prefers-color-scheme\s*:\s*dark/.test(rule.media.mediaText)) return true;
      if (rule.cssRules && walk(rule.cssRules)) return true;
    }
    return false;
  };
  for (const sheet of document.styleSheets) {
    try {
      if (/prefers-color-scheme\s*:\s*dark/.test(sheet.media.mediaText)) return true;
      if (walk(sheet.cssRules)) return true;
    } catch {
      // a stylesheet that cannot be read: nothing to learn here
    }
  }
  return false;
}

// --- in node -----------------------------------------------------------------------------

function isLocal(url) {
  try {
    return LOCAL_SCHEMES.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

function snippet(html) {
  const flat = html.replace(/\s+/g, " ").trim();
  return flat.length > SNIPPET ? `${flat.slice(0, SNIPPET - 1)}…` : flat;
}

function settle(page) {
  return page.evaluate(
    () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
  );
}

/** Merge per-run rule results into one list per file, remembering where each node failed. */
function merge(into, rules, where) {
  for (const rule of rules) {
    let found = into.find((r) => r.id === rule.id);
    if (!found) {
      found = { ...rule, source: rule.source || "axe-core", where: [], nodes: [] };
      into.push(found);
    }
    if (!found.where.includes(where)) found.where.push(where);
    for (const node of rule.nodes) {
      const same = found.nodes.find((n) => n.target === node.target);
      if (same) {
        if (!same.where.includes(where)) same.where.push(where);
      } else {
        found.nodes.push({ ...node, html: snippet(node.html), where: [where] });
      }
    }
  }
}

async function checkFile(context, file, options, axeSource) {
  const path = resolve(file);
  const url = pathToFileURL(path).href;
  const result = {
    file, url, ok: false, violations: [], incomplete: [], blocked: [], errors: [], runs: [],
  };
  const started = Date.now();
  const page = await context.newPage();
  const blocked = new Set();
  page.on("request", (request) => {
    if (!isLocal(request.url())) blocked.add(request.url());
  });
  page.on("websocket", (socket) => blocked.add(socket.url()));
  page.on("requestfailed", (request) => {
    if (isLocal(request.url())) {
      result.errors.push(`failed to load ${request.url()}: ${request.failure()?.errorText}`);
    }
  });
  page.on("console", (message) => {
    // a failed or blocked load is already reported above, with its URL
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource:")) {
      result.errors.push(`console error: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => result.errors.push(`page error: ${error.message}`));
  try {
    for (const [index, width] of options.widths.entries()) {
      await page.setViewportSize({ width, height: width < 600 ? 640 : 900 });
      if (index === 0) {
        await page.goto(url, { waitUntil: "load", timeout: 30_000 });
        await page.evaluate(() => document.fonts.ready.then(() => undefined));
        await page.evaluate(axeSource);
      }
      await settle(page);
      const schemes = ["light"];
      if (index === 0 && (await page.evaluate(usesDarkScheme))) schemes.push("dark");
      for (const scheme of schemes) {
        await page.emulateMedia({ media: "screen", colorScheme: scheme });
        await settle(page);
        const where = scheme === "light" ? `${width}px` : `${width}px dark`;
        const axe = await page.evaluate(runAxe, options.tags);
        merge(result.violations, axe.violations, where);
        merge(result.incomplete, axe.incomplete, where);
        result.runs.push({ where, rules: axe.rules });
        if (!axe.rules) result.errors.push(`no axe-core rule ran at ${where}: check --tags`);
      }
      if (schemes.length > 1) {
        await page.emulateMedia({ media: "screen", colorScheme: "light" });
        await settle(page);
      }
      const reflow = await page.evaluate(measureReflow);
      if (reflow) {
        merge(result.violations, [{
          id: "reflow",
          source: "axe-check",
          impact: "serious",
          help: "Content must reflow without horizontal scrolling (WCAG 1.4.10)",
          helpUrl: "https://www.w3.org/WAI/WCAG22/Understanding/reflow.html",
          tags: ["wcag21aa", "wcag1410"],
          nodes: reflow.nodes,
        }], `${width}px`);
      }
    }
  } catch (error) {
    result.errors.push(`could not check the page: ${error.message.split("\n")[0]}`);
  } finally {
    await page.close();
  }
  const rank = { critical: 0, serious: 1, moderate: 2, minor: 3 };
  result.violations.sort((a, b) => (rank[a.impact] ?? 4) - (rank[b.impact] ?? 4));
  result.blocked = [...blocked].sort();
  result.seconds = Math.round((Date.now() - started) / 100) / 10;
  result.ok = !result.violations.length && !result.blocked.length && !result.errors.length;
  return result;
}

function report(results, write) {
  for (const r of results) {
    write(`${r.ok ? "PASS" : "FAIL"} ${r.file} (${r.seconds}s)`);
    for (const v of r.violations) {
      const count = `${v.nodes.length} node${v.nodes.length === 1 ? "" : "s"}`;
      write(`  ${v.id} [${v.impact}] ${v.help} (${count}; at ${v.where.join(", ")})`);
      write(`    ${v.helpUrl}`);
      for (const node of v.nodes) {
        const where = node.where.length === v.where.length ? "" : ` (at ${node.where.join(", ")})`;
        write(`    - ${node.target}${where}`);
        write(`      ${node.html}`);
        const why = node.summary.split("\n").map((l) => l.trim())
          .filter((l) => l && !/^Fix (any|all) of the following:$/.test(l));
        for (const line of why) write(`      ${line}`);
      }
    }
    for (const url of r.blocked) write(`  blocked request (the page must work offline): ${url}`);
    for (const error of r.errors) write(`  ${error}`);
    for (const rule of r.incomplete) {
      // axe could not decide: shown for a person to check, not counted as a failure
      write(`  needs review (not a failure): ${rule.id}, ${rule.nodes.length} node(s): ${rule.help}`);
      const reasons = new Map();
      for (const node of rule.nodes) {
        const reason = node.summary.split("\n").map((l) => l.trim()).filter(Boolean).pop() || "";
        if (!reasons.has(reason)) reasons.set(reason, { target: node.target, count: 0 });
        reasons.get(reason).count += 1;
      }
      for (const [reason, { target, count }] of reasons) {
        write(`    - ${count} like ${target}: ${reason}`);
      }
    }
  }
  const failed = results.filter((r) => !r.ok).length;
  write(failed ? `axe-check: ${failed} of ${results.length} file(s) FAILED`
    : `axe-check: all ${results.length} file(s) passed`);
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`axe-check: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  const axeVersion = require("axe-core/package.json").version;
  const { chromium } = await import("playwright-core");

  let browser;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: ["--disable-dev-shm-usage", "--disable-gpu", "--no-first-run"],
    });
  } catch (error) {
    process.stderr.write(`axe-check: cannot start Chromium: ${error.message.split("\n")[0]}\n`);
    return 3;
  }
  const started = Date.now();
  const browserVersion = browser.version();
  const results = [];
  try {
    const context = await browser.newContext({
      serviceWorkers: "block",
      javaScriptEnabled: true,
      locale: "en-US",
      colorScheme: "light",
      reducedMotion: "reduce",
    });
    // Nothing leaves the machine: anything that is not local is aborted (and recorded by the
    // page's request listener).
    await context.route(
      (url) => !isLocal(url.href),
      (route) => route.abort("blockedbyclient"),
    );
    for (const file of options.files) results.push(await checkFile(context, file, options, axeSource));
    await context.close();
  } finally {
    await browser.close().catch(() => {});
  }
  const ok = results.every((r) => r.ok);
  const summary = {
    ok,
    axe: axeVersion,
    playwright: require("playwright-core/package.json").version,
    browser: browserVersion,
    tags: options.tags,
    widths: options.widths,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    files: results,
  };
  const text = [];
  report(results, (line) => text.push(line));
  text.push(`axe-core ${axeVersion}, Chromium ${summary.browser}, widths ${options.widths.join("/")}`
    + ` px, tags ${options.tags.join(",")}; ${summary.seconds}s`);
  if (options.json) {
    process.stderr.write(`${text.join("\n")}\n`);
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    process.stdout.write(`${text.join("\n")}\n`);
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => { process.exitCode = code; },
  (error) => {
    process.stderr.write(`axe-check: ${error.stack || error}\n`);
    process.exitCode = 3;
  },
);
