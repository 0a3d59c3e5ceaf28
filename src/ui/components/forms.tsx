/** Form pieces in the GOV.UK pattern: an error summary linking to fields, three-field dates, banners. */

export type FieldError = { field: string; message: string };
export type { Who } from './who.js';
import { readableDate, readableDateTime } from '../dates.js';

export function ErrorSummary({ errors }: { errors: FieldError[] }) {
  if (!errors.length) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex={-1}>
      <h2 id="error-summary-title">There is a problem</h2>
      <ul>
        {errors.map((e) => (
          <li>
            <a href={`#${e.field}`}>{e.message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export const errorFor = (errors: FieldError[], field: string) => errors.find((e) => e.field === field || e.field.startsWith(`${field}-`));

export function FieldMessage({ errors, field }: { errors: FieldError[]; field: string }) {
  const e = errorFor(errors, field);
  return e ? (
    <p class="err" id={`${field}-error`}>
      <span class="visually-hidden">Error: </span>
      {e.message}
    </p>
  ) : null;
}

export function TextField(props: {
  id: string;
  label: string;
  value?: string;
  hint?: string;
  errors: FieldError[];
  type?: string;
  required?: boolean;
  autocomplete?: string;
}) {
  const bad = !!errorFor(props.errors, props.id);
  const described = [props.hint ? `${props.id}-hint` : '', bad ? `${props.id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <FieldMessage errors={props.errors} field={props.id} />
      <input
        id={props.id}
        name={props.id}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        aria-invalid={bad ? 'true' : undefined}
        aria-describedby={described || undefined}
        required={props.required}
        autocomplete={props.autocomplete ?? 'off'}
      />
    </div>
  );
}

export function TextArea(props: { id: string; label: string; value?: string; hint?: string; errors: FieldError[] }) {
  const bad = !!errorFor(props.errors, props.id);
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <FieldMessage errors={props.errors} field={props.id} />
      <textarea
        id={props.id}
        name={props.id}
        aria-invalid={bad ? 'true' : undefined}
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
      >
        {props.value ?? ''}
      </textarea>
    </div>
  );
}

export type DateValue = { day: string; month: string; year: string };
export const emptyDate: DateValue = { day: '', month: '', year: '' };

/** Day / Month / Year; the first field's id is `${id}-day`, which the error summary links to. */
export function DateFields(props: { id: string; legend: string; hint: string; value: DateValue; errors: FieldError[] }) {
  const bad = !!errorFor(props.errors, props.id);
  const part = (name: 'day' | 'month' | 'year', label: string) => (
    <div class={name === 'year' ? 'year' : undefined}>
      <label for={`${props.id}-${name}`}>{label}</label>
      <input
        id={`${props.id}-${name}`}
        name={`${props.id}-${name}`}
        type="text"
        inputmode="numeric"
        value={props.value[name]}
        aria-invalid={bad ? 'true' : undefined}
        autocomplete="off"
      />
    </div>
  );
  return (
    <fieldset role="group" aria-describedby={`${props.id}-hint`}>
      <legend>{props.legend}</legend>
      <p class="hint" id={`${props.id}-hint`}>
        {props.hint}
      </p>
      <FieldMessage errors={props.errors} field={props.id} />
      <div class="date">
        {part('day', 'Day')}
        {part('month', 'Month')}
        {part('year', 'Year')}
      </div>
    </fieldset>
  );
}

export function Select(props: {
  id: string;
  label: string;
  value?: string;
  options: readonly (readonly [string, string])[];
  errors: FieldError[];
}) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <FieldMessage errors={props.errors} field={props.id} />
      <select id={props.id} name={props.id}>
        {props.options.map(([value, text]) => (
          <option value={value} selected={value === (props.value ?? '')}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

export const Banner = ({ text }: { text?: string }) =>
  text ? (
    <p class="banner" role="status">
      {text}
    </p>
  ) : null;

/** The one date formatter (ui/dates.ts): "27 Mar 2026"; with a time, "27 Mar 2026, 14:05 GMT" (London time). */
export const shortDate = readableDate;
export const dateTime = readableDateTime;
