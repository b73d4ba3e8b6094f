import { describe, expect, it } from 'vitest';
import { parseAnomaly } from '../../src/simulate/simulation-options.js';

const until = new Date('2024-03-05T12:00:00Z');

describe('parseAnomaly', () => {
  it('reads a metric, a factor and an explicit range in the configured time zone', () => {
    expect(
      parseAnomaly('metric=views,factor=0.3,from=2024-03-05T10:00,to=2024-03-05T11:30', until, 'Europe/Moscow'),
    ).toEqual({
      metric: 'views',
      factor: 0.3,
      from: new Date('2024-03-05T07:00:00Z'),
      to: new Date('2024-03-05T08:30:00Z'),
    });
  });

  it('reads `last` as the span before --until, and an attribute filter', () => {
    expect(parseAnomaly('metric=likes, factor=5, last=45m, os=iOS', until, 'UTC')).toEqual({
      metric: 'likes',
      factor: 5,
      from: new Date('2024-03-05T11:15:00Z'),
      to: until,
      filter: { attribute: 'os', value: 'iOS' },
    });
  });

  it.each([
    ['factor=0,last=1h', /metric must be one of views, likes, feed, messages \(got nothing\)/],
    ['metric=clicks,factor=0,last=1h', /got clicks/],
    ['metric=views,factor=-1,last=1h', /factor must be a number from 0 to 100 \(got -1\)/],
    ['metric=views,factor=lots,last=1h', /got lots/],
    ['metric=views,factor=0', /give from=TIME or last=DURATION/],
    ['metric=views,factor=0,last=soon', /last must be a duration/],
    ['metric=views,factor=0,from=yesterday', /from must be an ISO time/],
    ['metric=views,factor=0,from=2024-03-05T11:00,last=1h', /not both/],
    ['metric=views,factor=0,from=2024-03-05T13:00', /must start before it ends/],
    ['metric=views,factor=0,last=1h,colour=red', /unknown key colour/],
    ['metric=views,factor=0,last=1h,os=iOS,gender=1', /at most one attribute filter/],
    ['metric=views,metric=likes,factor=0,last=1h', /metric is given twice/],
    ['views', /"views" is not key=value/],
  ])('rejects %j', (text, message) => {
    expect(() => parseAnomaly(text, until, 'UTC')).toThrow(message);
  });
});
