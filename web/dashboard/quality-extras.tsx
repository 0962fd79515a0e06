import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson } from './api.js';
import { usd } from './money.js';
import { Table } from './table.js';

interface Arm {
  arm: string;
  shadow: boolean;
  requests: number;
  errors: number;
  costNanos: string;
  costPerRequestNanos: string | null;
  quality: { scored: number; mean: number | null; ci95: [number, number] | null };
  judgeWinRate: { scored: number; mean: number | null };
  latencyMs: { p50: number | null; p95: number | null };
  verdict: string | null;
}
interface Experiments {
  available: boolean;
  names: string[];
  report: { experiment: string; score: string; control: string | null; judgeCostNanos: string; arms: Arm[] } | null;
}
interface Sample {
  requestId: string;
  requestTs: number;
  route: string;
  model: string | null;
  requestJson: string | null;
  answer: string | null;
}

function useLoad<T>(path: string, version = 0): { data?: T; error?: string } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  useEffect(() => {
    let live = true;
    getJson<T>(path).then(
      (data) => live && setState({ data }),
      (error: Error) => live && setState({ error: error.message }),
    );
    return () => {
      live = false;
    };
  }, [path, version]);
  return state;
}

const fixed = (value: number | null, digits = 3) => (value === null ? '–' : value.toFixed(digits));
const Money = ({ nanos }: { nanos: string | null }) => (
  <span class="money" data-nanos={nanos ?? ''}>
    {usd(nanos)}
  </span>
);

/** An experiment per arm: the numbers and verdicts of `frugal report --experiment NAME`. */
export function ExperimentSection({ window, name, choose }: { window: string; name: string | null; choose: (name: string) => void }) {
  const state = useLoad<Experiments>(`/admin/api/experiments?${window}${name ? `&name=${encodeURIComponent(name)}` : ''}`);
  if (!state.data) return state.error ? <p role="alert" class="error">Could not load experiments: {state.error}</p> : null;
  const { names, report } = state.data;
  if (!report) return <p>No experiment configured (see README “Experiments”).</p>;
  return (
    <section aria-label="Experiment">
      <h2>Experiment {report.experiment}</h2>
      {names.length > 1 && (
        <label>
          Experiment{' '}
          <select value={report.experiment} onChange={(event) => choose((event.target as HTMLSelectElement).value)}>
            {names.map((option) => (
              <option value={option}>{option}</option>
            ))}
          </select>
        </label>
      )}
      <Table
        caption={`Experiment ${report.experiment} per arm`}
        empty="No requests recorded for this experiment in this window."
        columns={[
          { title: 'Arm', cell: (arm: Arm) => (arm.shadow ? `${arm.arm} (shadow)` : arm.arm) },
          { title: 'Requests', cell: (arm) => arm.requests, numeric: true },
          { title: 'Errors', cell: (arm) => arm.errors, numeric: true },
          { title: 'Spend', cell: (arm) => <Money nanos={arm.costNanos} />, numeric: true },
          { title: 'Per request', cell: (arm) => <Money nanos={arm.costPerRequestNanos} />, numeric: true },
          { title: `Scored (${report.score})`, cell: (arm) => arm.quality.scored, numeric: true },
          { title: 'Mean', cell: (arm) => fixed(arm.quality.mean), numeric: true },
          { title: '95% interval', cell: (arm) => (arm.quality.ci95 ? `${fixed(arm.quality.ci95[0])}–${fixed(arm.quality.ci95[1])}` : '–') },
          { title: 'Judge win rate', cell: (arm) => (arm.judgeWinRate.scored === 0 ? '–' : `${fixed(arm.judgeWinRate.mean)} (${arm.judgeWinRate.scored})`) },
          { title: 'p50 / p95', cell: (arm) => `${fixed(arm.latencyMs.p50, 0)} / ${fixed(arm.latencyMs.p95, 0)} ms` },
        ]}
        rows={report.arms}
      />
      <ul class="verdicts">
        {report.arms
          .filter((arm) => arm.verdict !== null)
          .map((arm) => (
            <li data-arm={arm.arm}>{arm.verdict}</li>
          ))}
      </ul>
    </section>
  );
}

function lastQuestion(sample: Sample): string {
  if (sample.requestJson === null) return '(not stored)';
  const messages = JSON.parse(sample.requestJson) as Array<{ role?: string; content?: unknown }>;
  const last = [...messages].reverse().find((message) => message.role === 'user') ?? messages.at(-1);
  return typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content ?? '');
}

async function grade(requestId: string, score: number): Promise<void> {
  const response = await fetch(`/admin/api/review/${encodeURIComponent(requestId)}`, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ score }) });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new ApiError(response.status, body.error?.message ?? 'grading failed');
  }
}

/** Sampled answers awaiting a reviewer's grade; a grade is recorded as `frugal review ID --score S` records it. */
export function ReviewQueue() {
  const [version, setVersion] = useState(0);
  const [message, setMessage] = useState('');
  const state = useLoad<{ available: boolean; samples: Sample[] }>('/admin/api/review?limit=20', version);
  if (!state.data) return state.error ? <p role="alert" class="error">Could not load the review queue: {state.error}</p> : null;
  const submit = (sample: Sample, score: number) =>
    grade(sample.requestId, score).then(
      () => {
        setMessage(`Recorded ${score} for ${sample.requestId}.`);
        setVersion((value) => value + 1);
      },
      (error: Error) => setMessage(`Could not record the grade: ${error.message}`),
    );
  return (
    <section aria-label="Review queue">
      <h2>Review queue</h2>
      <p aria-live="polite">{message}</p>
      <Table
        caption="Sampled answers awaiting a reviewer’s grade"
        empty="No sampled answers await a grade."
        columns={[
          { title: 'Request', cell: (sample: Sample) => sample.requestId },
          { title: 'Route → model', cell: (sample) => `${sample.route} → ${sample.model ?? '?'}` },
          { title: 'Question', cell: (sample) => lastQuestion(sample) },
          { title: 'Answer', cell: (sample) => sample.answer ?? '(not stored)' },
          {
            title: 'Grade',
            cell: (sample) => (
              <span class="grade">
                <button type="button" aria-label={`Good answer: ${sample.requestId}`} onClick={() => void submit(sample, 1)}>
                  Good
                </button>{' '}
                <button type="button" aria-label={`Bad answer: ${sample.requestId}`} onClick={() => void submit(sample, 0)}>
                  Bad
                </button>
              </span>
            ),
          },
        ]}
        rows={state.data.samples}
      />
    </section>
  );
}
