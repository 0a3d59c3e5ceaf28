/** What a responder does when no plan can be shown: the plan is advice, their judgement stands. */
export const WHAT_TO_DO = (
  <ul>
    <li>Call your control room and ask them to look the person up.</li>
    <li>
      Or <a href="/code">type the code printed on the card</a>, or search by name if you know it.
    </li>
    <li>Carry on with your usual assessment: a plan is advice, never a substitute for it.</li>
  </ul>
);
