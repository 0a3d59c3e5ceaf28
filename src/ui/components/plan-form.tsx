import type { Field, Rows, Section } from '../pages/manage/spec.js';
import { ErrorSummary as FieldErrorSummary } from './forms.js';

/** One section of the plan form, from its spec: labels, hints, each field's error beside it, "add another" rows. */
export type FormError = { field: string; anchor: string; message: string };
type Props = { section: Section; values: Record<string, string>; errors: FormError[] };

const countOf = (values: Record<string, string>, rows: Rows) => Math.max(0, Math.min(20, Number(values[`${rows.name}.count`] ?? 0) || 0));

function Input({
  field,
  name,
  label,
  values,
  errors,
}: {
  field: Field;
  name: string;
  label: string;
  values: Record<string, string>;
  errors: FormError[];
}) {
  const error = errors.find((e) => e.field === name);
  const hintId = field.hint ? `${name}.hint` : undefined;
  const errorId = error ? `${name}.error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  const invalid = error ? true : undefined;
  const optional = field.optional && field.kind !== 'checkbox' ? <span class="hint"> (optional)</span> : null;
  const hint = field.hint ? (
    <p id={hintId} class="hint">
      {field.hint}
    </p>
  ) : null;
  const message = error ? (
    <p id={errorId} class="field-error">
      {error.message}
    </p>
  ) : null;
  if (field.kind === 'checkbox') {
    return (
      <div class="check">
        <input
          type="checkbox"
          id={name}
          name={name}
          value="yes"
          checked={values[name] === 'yes'}
          aria-describedby={describedBy}
          aria-invalid={invalid}
        />
        <label for={name}>{label}</label>
        {message}
      </div>
    );
  }
  if (field.kind === 'date') {
    const part = (p: 'day' | 'month' | 'year', text: string) => (
      <div>
        <label for={`${name}.${p}`}>{text}</label>
        <input
          type="text"
          inputmode="numeric"
          class={p === 'year' ? 'year' : 'date'}
          id={`${name}.${p}`}
          name={`${name}.${p}`}
          value={values[`${name}.${p}`] ?? ''}
          aria-invalid={invalid}
          aria-describedby={describedBy}
        />
      </div>
    );
    return (
      <fieldset role="group" aria-describedby={describedBy}>
        <legend>
          {label}
          {optional}
        </legend>
        {hint}
        {message}
        <div class="dates">
          {part('day', 'Day')}
          {part('month', 'Month')}
          {part('year', 'Year')}
        </div>
      </fieldset>
    );
  }
  const value = values[name] ?? '';
  return (
    <div>
      <label for={name}>
        {label}
        {optional}
      </label>
      {hint}
      {message}
      {field.kind === 'textarea' || field.kind === 'lines' ? (
        <textarea
          id={name}
          name={name}
          rows={field.rows ?? (field.kind === 'lines' ? 3 : 4)}
          aria-describedby={describedBy}
          aria-invalid={invalid}
        >
          {value}
        </textarea>
      ) : field.kind === 'select' ? (
        <select id={name} name={name} aria-describedby={describedBy} aria-invalid={invalid}>
          {field.options!.map(([v, text]) => (
            <option value={v} selected={v === value}>
              {text}
            </option>
          ))}
        </select>
      ) : (
        <input
          type="text"
          id={name}
          name={name}
          value={value}
          inputmode={field.kind === 'number' ? 'decimal' : undefined}
          aria-describedby={describedBy}
          aria-invalid={invalid}
        />
      )}
    </div>
  );
}

function RowsInput({ rows, values, errors }: { rows: Rows; values: Record<string, string>; errors: FormError[] }) {
  const n = countOf(values, rows);
  const cap = rows.item[0]!.toUpperCase() + rows.item.slice(1);
  const whole = errors.find((e) => e.field === rows.name);
  return (
    <section aria-labelledby={`${rows.name}.title`}>
      <h2 id={`${rows.name}.title`}>{rows.label}</h2>
      {rows.hint ? <p class="hint">{rows.hint}</p> : null}
      {whole ? <p class="field-error">{whole.message}</p> : null}
      <input type="hidden" name={`${rows.name}.count`} value={String(n)} />
      {n === 0 ? <p>None yet.</p> : null}
      {Array.from({ length: n }, (_, i) => (
        <fieldset>
          <legend>
            {cap} {i + 1}
          </legend>
          {rows.fields.map((f) => (
            <Input field={f} name={`${rows.name}.${i}.${f.name}`} label={f.label} values={values} errors={errors} />
          ))}
          <button type="submit" class="secondary quiet" name="remove" value={`${rows.name}.${i}`}>
            Remove {rows.item} {i + 1}
          </button>
        </fieldset>
      ))}
      <button type="submit" class="secondary" id={`${rows.name}.add`} name="add" value={rows.name}>
        Add {n === 0 ? 'a' : 'another'} {rows.item}
      </button>
    </section>
  );
}

export function SectionFields({ section, values, errors }: Props) {
  return (
    <>
      {section.items.map((item) =>
        item.kind === 'rows' ? (
          <RowsInput rows={item} values={values} errors={errors} />
        ) : (
          <Input field={item} name={item.name} label={item.label} values={values} errors={errors} />
        ),
      )}
    </>
  );
}

/** The GOV.UK error summary (forms.tsx), each message linking to the field it is about. */
export const ErrorSummary = ({ errors }: { errors: FormError[] }) => (
  <FieldErrorSummary errors={errors.map((e) => ({ field: e.anchor, message: e.message }))} />
);
