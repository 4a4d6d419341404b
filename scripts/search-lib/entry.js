// What the site's search needs, bundled into one classic script (an IIFE: a <script> tag loads
// it on file:// too, where ES modules and fetch() are blocked). See scripts/update-search-lib.
import MiniSearch from "minisearch";
import { stemmer as stemEs } from "@orama/stemmers/spanish";
import stemEn from "wink-porter2-stemmer";

window.HKSearchLib = { MiniSearch, stemmers: { en: stemEn, es: stemEs } };
