import { WEEKDAYS, type LocalTime, type TimeWindow, type Weekday } from './model';

/** The wall-clock day and time of an instant in an IANA time zone. */
export interface LocalMoment {
  readonly day: Weekday;
  /** `HH:MM`, 24-hour. */
  readonly time: LocalTime;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The last moment read per zone, by UTC minute: every call selects its ringing media by the local
 * time, and Intl's formatToParts costs tens of microseconds, while all offsets in use are whole minutes.
 */
const lastMoments = new Map<string, { minute: number; moment: LocalMoment }>();

/** The day of week and `HH:MM` at `at` in `timeZone` (throws RangeError for an unknown zone). */
export function localMoment(at: Date, timeZone: string): LocalMoment {
  const minute = Math.floor(at.getTime() / 60_000);
  const last = lastMoments.get(timeZone);
  if (last !== undefined && last.minute === minute) return last.moment;
  const moment = readLocalMoment(at, timeZone);
  lastMoments.set(timeZone, { minute, moment });
  return moment;
}

function readLocalMoment(at: Date, timeZone: string): LocalMoment {
  let weekday = '';
  let hour = '00';
  let minute = '00';
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    if (part.type === 'weekday') weekday = part.value.slice(0, 3).toLowerCase();
    else if (part.type === 'hour') hour = part.value.padStart(2, '0');
    else if (part.type === 'minute') minute = part.value.padStart(2, '0');
  }
  const day = WEEKDAYS.find((d) => d === weekday);
  if (!day) throw new RangeError(`unexpected weekday ${JSON.stringify(weekday)} from Intl`);
  return { day, time: `${hour}:${minute}` };
}

export function previousDay(day: Weekday): Weekday {
  const i = WEEKDAYS.indexOf(day);
  return WEEKDAYS[(i + WEEKDAYS.length - 1) % WEEKDAYS.length] ?? day;
}

/**
 * Whether a rule with `days` and `window` applies at the local moment. A window with `until <= from`
 * crosses midnight and belongs to the day it starts on (see TimeWindow in model.ts).
 */
export function inSchedule(days: readonly Weekday[], window: TimeWindow | null, now: LocalMoment): boolean {
  if (window === null) return days.includes(now.day);
  if (window.from < window.until) {
    return days.includes(now.day) && now.time >= window.from && now.time < window.until;
  }
  if (now.time >= window.from) return days.includes(now.day);
  return now.time < window.until && days.includes(previousDay(now.day));
}
