/**
 * Scores a web fetch. The URL is parsed, so extension rules look at the path and a query string cannot hide
 * `install.sh?x=1` (seed study §9.4); loopback and private hosts are flagged for the modifiers that lower them.
 */
import type { RiskAssessment } from '../types.js';
import type { CompiledUrlRule, RuleSet } from '../rules/types.js';
import { buildAssessment, NO_RISK, type RuleHit } from './assessment.js';

interface UrlParts {
  readonly href: string;
  readonly host: string;
  readonly path: string;
  readonly query: string;
  readonly lastSegment: string;
  readonly local: boolean;
}

function isLocalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '::' || h === '0.0.0.0') return true;
  const m = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(h);
  if (m !== null) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || a === 0;
  }
  return h.startsWith('fc') || h.startsWith('fd') || h.startsWith('fe80:');
}

export function parseUrlParts(target: string): UrlParts {
  const raw = target.trim();
  let url: URL | null = null;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(raw) ? raw : `http://${raw}`);
  } catch {
    url = null;
  }
  if (url === null) {
    const [path = '', query = ''] = raw.split('?', 2);
    return { href: raw, host: '', path, query, lastSegment: path.slice(path.lastIndexOf('/') + 1), local: false };
  }
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // Keep the encoded form: a malformed escape is no reason to skip the path rules.
  }
  return {
    href: raw,
    host: url.hostname,
    path,
    query: url.search.replace(/^\?/, ''),
    lastSegment: path.slice(path.lastIndexOf('/') + 1).toLowerCase(),
    local: isLocalHost(url.hostname),
  };
}

function matchesUrl(rule: CompiledUrlRule, url: UrlParts): boolean {
  if (rule.localHost !== null && rule.localHost !== url.local) return false;
  if (rule.ext !== null && !rule.ext.some((ext) => url.lastSegment.endsWith(`.${ext}`))) return false;
  if (rule.host !== null && !rule.host.test(url.host)) return false;
  if (rule.path !== null && !rule.path.test(url.path)) return false;
  if (rule.query !== null && !rule.query.test(url.query)) return false;
  if (rule.url !== null && !rule.url.test(url.href)) return false;
  return true;
}

export function scoreUrl(rules: RuleSet, target: string): RiskAssessment {
  if (target.trim() === '') return NO_RISK;
  const url = parseUrlParts(target);
  const dangers: RuleHit[] = [];
  const modifiers: RuleHit[] = [];
  for (const rule of rules.urls) {
    if (!matchesUrl(rule, url)) continue;
    const hit = { id: rule.id, description: rule.description, mitre: rule.mitre, score: rule.score };
    (rule.isModifier ? modifiers : dangers).push(hit);
  }
  if (dangers.length === 0) return NO_RISK;
  const danger = Math.max(...dangers.map((h) => h.score));
  const score = danger + modifiers.reduce((total, h) => total + h.score, 0);
  return buildAssessment(score, dangers, modifiers);
}
