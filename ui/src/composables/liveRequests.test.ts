import { describe, expect, it } from 'vitest';
import type { LiveNotification, LiveQuestionItem } from '../../../shared/src/index.js';
import { answersFor, answersOnClick, describeNotification, emptySelection, toggleOption, unseenNotifications } from './liveRequests.js';

const colour: LiveQuestionItem = { question: 'Colour?', options: [{ label: 'Blue' }, { label: 'Red' }] };
const extras: LiveQuestionItem = { question: 'Extras?', multiple: true, options: [{ label: 'Tests' }, { label: 'Docs' }] };

describe('question answers', () => {
  it('answers a single single-choice question on click, and collects anything else', () => {
    expect(answersOnClick([colour])).toBe(true);
    expect(answersOnClick([extras])).toBe(false);
    expect(answersOnClick([colour, extras])).toBe(false);
  });

  it('toggles multiple-choice labels, replaces a single choice, and needs every item answered', () => {
    const items = [colour, extras];
    let sel = emptySelection(items);
    expect(answersFor(items, sel)).toBeUndefined();
    sel = toggleOption(sel, items, 0, 'Blue');
    sel = toggleOption(sel, items, 0, 'Red');
    expect(answersFor(items, sel)).toBeUndefined();
    sel = toggleOption(sel, items, 1, 'Tests');
    sel = toggleOption(sel, items, 1, 'Docs');
    expect(answersFor(items, sel)).toEqual([['Red'], ['Tests', 'Docs']]);
    sel = toggleOption(sel, items, 1, 'Tests');
    sel = toggleOption(sel, items, 0, 'Red');
    expect(sel).toEqual([[], ['Docs']]);
    expect(toggleOption(sel, items, 5, 'x')).toBe(sel);
  });
});

describe('unseenNotifications', () => {
  const a = { n: 1 };
  const b = { n: 2 };
  const c = { n: 3 };
  it('returns what came after the last one seen, or everything when it was dropped', () => {
    expect(unseenNotifications([a, b, c], a)).toEqual([b, c]);
    expect(unseenNotifications([a, b, c], c)).toEqual([]);
    expect(unseenNotifications([b, c], a)).toEqual([b, c]);
    expect(unseenNotifications([a], undefined)).toEqual([a]);
  });
});

describe('describeNotification', () => {
  it('names what happened and how urgent it is', () => {
    const finished: LiveNotification = { type: 'session.finished', instanceId: 'i', sessionId: 's', title: 'Fix the build', todos: { pending: 1, inProgress: 0, completed: 2 }, timeMs: 0 };
    const asked: LiveNotification = { type: 'permission.asked', instanceId: 'i', sessionId: 's', permissionId: 'p', permission: 'bash', summary: 'rm -rf dist', risk: { score: 45, level: 'medium', reasons: [] }, timeMs: 0 };
    expect(describeNotification(finished)).toEqual({ title: 'Session finished', detail: 'Fix the build (1 todo left)', tone: 'info' });
    expect(describeNotification({ ...finished, parentId: 'root', todos: { pending: 0, inProgress: 0, completed: 0 } }).title).toBe('Sub-agent finished');
    expect(describeNotification(asked)).toEqual({ title: 'Permission asked: bash (medium)', detail: 'rm -rf dist', tone: 'attention' });
    expect(describeNotification({ type: 'question.asked', instanceId: 'i', sessionId: 's', questionId: 'q', question: 'Deploy?', timeMs: 0 }).tone).toBe('attention');
    expect(describeNotification({ type: 'security.critical', instanceId: 'i', sessionId: 's', summary: 'curl | sh', risk: { score: 95, level: 'critical', reasons: [] }, timeMs: 0 }).tone).toBe('alarm');
  });
});
