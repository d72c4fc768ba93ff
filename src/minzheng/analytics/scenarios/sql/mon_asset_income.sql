-- MON_ASSET_INCOME (财产收入变化, 复核). A member of a household with an active dibao, tekun or dibao_edge
-- enrollment on D with at least one of these rows dated inside the household's window (from the start of
-- its earliest active in-care enrollment to D):
-- a vehicle of a type in assets.prohibited_vehicles (car, truck); a business role in
-- assets.prohibited_business_roles (legal_rep, sole_proprietor), or shareholder with registered capital of
-- at least monitoring.asset_income.shareholder_capital_min; a commercial property, or a residential one
-- when the members hold at least monitoring.asset_income.residential_properties_min distinct residential
-- property_nos registered on or before D; an employed row whose wage plus the members' monthly incomes
-- gives a per-capita income of at least the dibao standard (x dibao.edge_multiplier for a dibao_edge
-- household), compared exactly: income + wage >= line * members.
WITH mem AS (
  SELECT m.id_number, m.household_id, h.window_start, h.edge, h.members, h.income
  FROM member m
  JOIN household h ON h.household_id = m.household_id
  WHERE h.low_income = 1
),
homes AS (
  SELECT m.household_id, count(DISTINCT r.property_no) AS homes
  FROM mem m
  JOIN real_estate r ON r.id_number = m.id_number
  WHERE r.usage = 'residential' AND r.register_date <= {D}
  GROUP BY m.household_id
),
ev AS (
  SELECT m.id_number, 'vehicles' AS source, v.vehicle_type AS kind, v.plate AS ref, v.register_date AS ev_date,
    v.price AS amount, CAST(NULL AS INTEGER) AS n
  FROM mem m
  JOIN vehicles v ON v.id_number = m.id_number
  JOIN codes c ON c.name = 'assets.prohibited_vehicles' AND c.code = v.vehicle_type
  WHERE v.register_date >= m.window_start AND v.register_date <= {D}
  UNION ALL
  SELECT m.id_number, 'businesses', b.role, b.company_name, b.register_date, b.registered_capital, NULL
  FROM mem m
  JOIN businesses b ON b.id_number = m.id_number
  CROSS JOIN prm
  LEFT JOIN codes c ON c.name = 'assets.prohibited_business_roles' AND c.code = b.role
  WHERE b.register_date >= m.window_start AND b.register_date <= {D}
    AND (c.code IS NOT NULL OR (b.role = 'shareholder' AND b.registered_capital >= prm.shareholder_capital_min))
  UNION ALL
  SELECT m.id_number, 'real_estate', r.usage, r.property_no, r.register_date, NULL, coalesce(o.homes, 0)
  FROM mem m
  JOIN real_estate r ON r.id_number = m.id_number
  CROSS JOIN prm
  LEFT JOIN homes o ON o.household_id = m.household_id
  WHERE r.register_date >= m.window_start AND r.register_date <= {D}
    AND (r.usage = 'commercial'
         OR (r.usage = 'residential' AND coalesce(o.homes, 0) >= prm.residential_properties_min))
  UNION ALL
  SELECT m.id_number, 'employment', 'employed', NULL, e.event_date, e.monthly_amount, m.members
  FROM mem m
  JOIN employment e ON e.id_number = m.id_number
  CROSS JOIN prm
  WHERE e.event = 'employed' AND e.event_date >= m.window_start AND e.event_date <= {D}
    AND m.income + e.monthly_amount
        >= prm.dibao_standard * (CASE WHEN m.edge = 1 THEN prm.edge_multiplier ELSE 1 END) * m.members
),
hit AS (
  SELECT DISTINCT id_number, 'review' AS suggested_action, CAST(NULL AS DECIMAL(18, 2)) AS monthly_amount FROM ev
)
