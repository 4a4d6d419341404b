#!/usr/bin/env node
// The library site (`handoutkit build --format site`) used as a person would, keyboard only, in
// the system Chromium, from file:// (a shared folder), offline:
//
//   node tests/browser/site-check.mjs SITE_FOLDER [--shots=DIR] [--query=WORD] [--doc=PAGE]
//                                    [--timing-only]
//
// 1. the home page: what it loads before any search (files and bytes); Tab reaches the skip
//    link first, and the focus is visible on every control it reaches;
// 2. types a search (default "depresion") into the search box and waits for the results;
// 3. chooses "Large print" in the edition filter with the arrow keys, and collects the links
//    of the list (every PDF link must be a large-print one);
// 4. opens the first PDF of the list (follows the link: the file must be a PDF);
// 5. on a document page (the first result's, or --doc), Tabs to the print button and presses
//    Enter: window.print is stubbed and must be called once; in print media the site's panel
//    is hidden and the document shown;
// 6. times searches (the index loaded): HKSite.lastSearchMs for several queries (only steps 1
//    and 6 with --timing-only, as bench/sitebench.py does).
// axe-core (WCAG 2.x A, AA and AAA rules and best practices) runs on the home page with its
// results, and the filtered list, at 1280 and 320 px. Prints one JSON report on stdout.
// Exit: 0 every step passed; 1 a step failed (see "problems"); 2 usage; 3 the browser failed.

import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const TAGS = ["wcag2a", "wcag2aa", "wcag2aaa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];
const WIDTHS = [1280, 320];
// the browser's own pages (its PDF viewer) are not the network either
const LOCAL = new Set(["file:", "data:", "blob:", "about:", "chrome:", "chrome-extension:"]);
const TIMED = ["depresion", "ketamina", "sleep", "borderline personality", "terapia", "dbt"];

function parse(argv) {
  const options = { shots: null, query: "depresion", doc: null, folder: null, timing: false };
  for (const arg of argv) {
    if (arg.startsWith("--shots=")) options.shots = resolve(arg.slice(8));
    else if (arg.startsWith("--query=")) options.query = arg.slice(8);
    else if (arg.startsWith("--doc=")) options.doc = arg.slice(6);
    else if (arg === "--timing-only") options.timing = true;
    else if (!arg.startsWith("-") && !options.folder) options.folder = resolve(arg);
    else return null;
  }
  if (!options.folder || !existsSync(join(options.folder, "index.html"))) return null;
  return options;
}

async function axe(page, where, report, axeSource) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width < 600 ? 640 : 900 });
    if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.evaluate(axeSource);
    const result = await page.evaluate(async (tags) => {
      const r = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) }));
    }, TAGS);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    report.axe.push({ where: `${where} ${width}px`, violations: result, overflow });
    for (const v of result) report.problems.push(`${where} at ${width}px: ${v.id} (${v.impact}) ${v.nodes.join(", ")}`);
    if (overflow > 1) report.problems.push(`${where} at ${width}px: the page scrolls sideways by ${overflow}px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function shot(page, options, name) {
  if (!options.shots) return;
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width < 600 ? 640 : 900 });
    await page.screenshot({ path: join(options.shots, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function focusVisible(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const style = getComputedStyle(e);
    const box = e.getBoundingClientRect();
    return {
      tag: e.localName, id: e.id, text: (e.textContent || e.value || "").trim().slice(0, 40),
      visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight,
      outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    };
  });
}

async function main() {
  const options = parse(process.argv.slice(2));
  if (!options) {
    process.stderr.write("usage: node site-check.mjs SITE_FOLDER [--shots=DIR] [--query=WORD] [--doc=PAGE]\n");
    return 2;
  }
  if (options.shots) mkdirSync(options.shots, { recursive: true });
  const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  const { chromium } = await import("playwright-core");
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      headless: true,
      args: ["--disable-dev-shm-usage", "--disable-gpu", "--no-first-run"],
    });
  } catch (error) {
    process.stderr.write(`site-check: cannot start Chromium: ${error.message.split("\n")[0]}\n`);
    return 3;
  }
  const report = { browser: browser.version(), problems: [], axe: [], steps: {} };
  const context = await browser.newContext({ locale: "en-US", reducedMotion: "reduce", acceptDownloads: true });
  await context.route((url) => !LOCAL.has(url.protocol), (route) => {
    report.problems.push(`a request left the machine: ${route.request().url()}`);
    return route.abort("blockedbyclient");
  });
  await context.addInitScript(() => {
    window.__printed = 0;
    window.print = () => { window.__printed += 1; };
  });
  const page = await context.newPage();
  const loaded = [];
  page.on("request", (request) => loaded.push(request.url()));
  page.on("pageerror", (error) => report.problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") report.problems.push(`console error: ${message.text()}`);
  });
  const home = pathToFileURL(join(options.folder, "index.html")).href;
  try {
    // 1. the home page before any search
    await page.goto(home, { waitUntil: "load" });
    const files = loaded.filter((url) => url.startsWith("file:")).map((url) => fileURLToPath(url.split("#")[0]));
    const bytes = files.reduce((sum, file) => sum + (existsSync(file) ? statSync(file).size : 0), 0);
    report.steps.home = { files: files.map((f) => f.slice(options.folder.length + 1)), bytes };
    if (!options.timing) await steps(page, options, report, axeSource, home);
    // 6. search times, the index loaded
    await page.goto(home, { waitUntil: "load" });
    await page.focus("#hk-q");
    const times = [];
    for (const query of TIMED) {
      const before = await page.evaluate(() => window.HKSite.searches);
      const started = Date.now();
      await page.fill("#hk-q", query);
      await page.waitForFunction((n) => window.HKSite.searches > n || /No documents/.test(document.getElementById("hk-status").textContent), before, { timeout: 60_000 });
      const wall = Date.now() - started;
      times.push({ query, search_ms: await page.evaluate(() => window.HKSite.lastSearchMs), wall_ms: wall });
    }
    report.steps.timing = times;
  } catch (error) {
    report.problems.push(`could not finish: ${error.message.split("\n")[0]}`);
  } finally {
    await browser.close().catch(() => {});
  }
  report.ok = report.problems.length === 0;
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return report.ok ? 0 : 1;
}

async function steps(page, options, report, axeSource, home) {
    await shot(page, options, "home");
    await axe(page, "home page", report, axeSource);
    await page.keyboard.press("Tab");
    const first = await focusVisible(page);
    if (!first || !/skip/i.test(first.text) || !first.visible) {
      report.problems.push(`the first Tab does not show the skip link: ${JSON.stringify(first)}`);
    }
    const reached = [];
    for (let n = 0; n < 14; n += 1) {
      await page.keyboard.press("Tab");
      const focused = await focusVisible(page);
      if (!focused) continue;
      reached.push(focused.id || focused.text);
      if (!focused.visible || !focused.outline) report.problems.push(`focus not visible on ${JSON.stringify(focused)}`);
      if (focused.id === "hk-q") break;
    }
    report.steps.tab_order = reached;
    if (!reached.includes("hk-q")) report.problems.push("Tab never reached the search box");

    // 2. a search in Spanish, typed
    await page.keyboard.type(options.query, { delay: 20 });
    await page.waitForFunction(() => window.HKSite && window.HKSite.searches > 0 && document.querySelectorAll("#hk-results li.hk-result").length > 0, null, { timeout: 30_000 });
    const results = await page.$$eval("#hk-results li.hk-result h3 a", (links) => links.map((a) => ({ title: a.textContent, lang: a.lang, href: a.getAttribute("href") })));
    report.steps.search = { query: options.query, results, status: await page.textContent("#hk-status") };
    await shot(page, options, "search");
    await axe(page, "search results", report, axeSource);

    // 3. the edition filter, with the keyboard: Large print
    await page.focus("#hk-f-edition");
    for (let n = 0; n < 5 && (await page.inputValue("#hk-f-edition")) !== "large-print"; n += 1) {
      await page.keyboard.press("ArrowDown");
    }
    await page.waitForFunction(() => document.querySelector("#hk-results li.hk-result a[href$='.pdf']") && /large-print/.test(location.hash), null, { timeout: 10_000 });
    const filtered = await page.$$eval("#hk-results li.hk-result", (items) => items.map((li) => ({
      title: li.querySelector("h3 a").textContent,
      page: li.querySelector("h3 a").getAttribute("href"),
      files: [...li.querySelectorAll(".hk-files a")].map((a) => ({ text: a.textContent, href: a.getAttribute("href") })),
    })));
    report.steps.filter = { edition: await page.inputValue("#hk-f-edition"), results: filtered, hash: await page.evaluate(() => location.hash) };
    for (const item of filtered) {
      for (const file of item.files) if (!/large-print/.test(file.href)) report.problems.push(`filtered to large print, but listed ${file.href}`);
    }
    await page.fill("#hk-q", "");
    await page.waitForFunction(() => /large-print/.test(location.hash) && !/q=/.test(location.hash) && document.querySelectorAll("#hk-results li.hk-result").length > 0);
    await shot(page, options, "filtered");
    await axe(page, "filtered list", report, axeSource);

    // 4. open the first PDF of the list
    const pdfLink = await page.$("#hk-results .hk-files a[href$='.pdf']");
    if (!pdfLink) {
      report.problems.push("no PDF link in the filtered list");
    } else {
      const href = await pdfLink.getAttribute("href");
      const target = new URL(href, page.url());
      const path = fileURLToPath(target);
      const ok = existsSync(path) && readFileSync(path).subarray(0, 5).toString() === "%PDF-";
      const download = page.waitForEvent("download", { timeout: 10_000 }).catch(() => null);
      const response = page.waitForResponse((r) => r.url() === target.href, { timeout: 10_000 }).catch(() => null);
      await pdfLink.focus();
      await page.keyboard.press("Enter");
      const opened = await Promise.race([download, response]);
      if (opened && !opened.suggestedFilename) {
        await page.waitForURL(target.href, { timeout: 10_000 }).catch(() => {});
        await page.waitForLoadState("load").catch(() => {});
      }
      report.steps.pdf = { href, is_pdf: ok, opened: Boolean(opened), how: opened && opened.suggestedFilename ? "download" : "navigation" };
      if (!ok) report.problems.push(`the PDF link ${href} does not lead to a PDF file`);
      if (!opened) report.problems.push(`following ${href} did nothing`);
    }

    // 5. a document page: the print button, with the keyboard
    const docPage = options.doc ? pathToFileURL(join(options.folder, options.doc)).href
      : new URL(filtered[0]?.page || results[0].href, home).href;
    await page.goto(docPage, { waitUntil: "load" });
    await shot(page, options, "document");
    let pressed = false;
    for (let n = 0; n < 40; n += 1) {
      await page.keyboard.press("Tab");
      const focused = await focusVisible(page);
      if (focused && focused.tag === "button" && /print/i.test(focused.text)) {
        if (!focused.outline) report.problems.push("the print button's focus is not visible");
        await page.keyboard.press("Enter");
        pressed = true;
        break;
      }
    }
    const printed = await page.evaluate(() => window.__printed);
    await page.emulateMedia({ media: "print" });
    const inPrint = await page.evaluate(() => ({
      panel: getComputedStyle(document.querySelector(".hk-panel")).display,
      heading: getComputedStyle(document.querySelector("h1")).display,
    }));
    await page.emulateMedia({ media: "screen" });
    report.steps.print = { page: docPage.slice(pathToFileURL(options.folder).href.length + 1), pressed, printed, in_print: inPrint };
    if (!pressed) report.problems.push("Tab never reached a print button on the document page");
    if (printed !== 1) report.problems.push(`window.print was called ${printed} times, not once`);
    if (inPrint.panel !== "none" || inPrint.heading === "none") report.problems.push(`printing shows the panel or hides the document: ${JSON.stringify(inPrint)}`);

}

main().then((code) => { process.exitCode = code; }, (error) => {
  process.stderr.write(`site-check: ${error.stack || error}\n`);
  process.exitCode = 3;
});
